package cpe

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/db"
)

// FirmwareTarget is a device a firmware deployment may send an image to.
type FirmwareTarget struct {
	ID              uuid.UUID `db:"id"`
	GenieACSID      string    `db:"genieacs_id"`
	Serial          string    `db:"serial"`
	SoftwareVersion string    `db:"software_version"`
}

// FirmwareTargets lists an organization's devices of one model (OUI and
// product class) that GenieACS knows (a download is a GenieACS task).
func FirmwareTargets(ctx context.Context, q db.Executor, orgID uuid.UUID, oui, productClass string) ([]FirmwareTarget, error) {
	rows, err := q.Query(ctx, `SELECT id, genieacs_id, serial, software_version FROM cpe_devices
		WHERE org_id = $1 AND oui = $2 AND product_class = $3 AND genieacs_id IS NOT NULL AND genieacs_deleted_at IS NULL`,
		orgID, oui, productClass)
	if err != nil {
		return nil, fmt.Errorf("firmware targets: %w", err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[FirmwareTarget])
	if err != nil {
		return nil, fmt.Errorf("firmware targets: %w", err)
	}
	return ts, nil
}
