package cpe

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/db"
)

// The device sync's other writes to cpe_devices (its upsert is the shared
// one, upsert.go). A full pass notes the GenieACS ids it saw in its
// temporary table sync_seen.

// MarkGone flags the devices with a GenieACS id that a complete full pass
// started at startedAt did not find (sync_seen), and that existed before
// it began; it returns how many.
func MarkGone(ctx context.Context, exec db.Executor, startedAt time.Time) (int64, error) {
	tag, err := exec.Exec(ctx, `UPDATE cpe_devices d SET genieacs_deleted_at = now(), updated_at = now()
		WHERE d.genieacs_id IS NOT NULL AND d.genieacs_deleted_at IS NULL
			AND COALESCE(d.first_contact_at, d.created_at) < $1
			AND NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.genieacs_id = d.genieacs_id)`, startedAt)
	if err != nil {
		return 0, fmt.Errorf("mark devices gone: %w", err)
	}
	return tag.RowsAffected(), nil
}

// OnlineChange is one owned device whose online state JudgeOnline changed.
type OnlineChange struct {
	ID, Org      uuid.UUID
	Serial       string
	Old, New     string     // "", online, offline
	Prev         *time.Time // when the state changed before
	LastInformAt *time.Time
}

// JudgeOnline sets every owned device's online state from its last inform
// (online within window) and returns the devices whose state changed.
func JudgeOnline(ctx context.Context, tx pgx.Tx, window time.Duration) ([]OnlineChange, error) {
	rows, err := tx.Query(ctx, `
			WITH judged AS (
				SELECT id, online_state AS old, online_changed_at AS prev,
					CASE WHEN last_inform_at > now() - $1::interval THEN 'online' ELSE 'offline' END AS new
				FROM cpe_devices WHERE org_id IS NOT NULL AND last_inform_at IS NOT NULL
			)
			UPDATE cpe_devices d SET online_state = j.new, online_changed_at = now()
			FROM judged j WHERE d.id = j.id AND j.old <> j.new
			RETURNING d.id, d.org_id, d.serial_norm, j.old, j.new, j.prev, d.last_inform_at`, window.String())
	if err != nil {
		return nil, fmt.Errorf("judge online: %w", err)
	}
	defer rows.Close()
	var out []OnlineChange
	for rows.Next() {
		var c OnlineChange
		if err := rows.Scan(&c.ID, &c.Org, &c.Serial, &c.Old, &c.New, &c.Prev, &c.LastInformAt); err != nil {
			return nil, fmt.Errorf("judge online: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
