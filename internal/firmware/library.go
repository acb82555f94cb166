package firmware

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// Listed is an image with how many of the organization's devices of its
// model there are and how many of them run it.
type Listed struct {
	Image
	Running      int `json:"devicesRunning"`
	ModelDevices int `json:"modelDevices"`
}

// List returns the organization's images, newest first, with their
// device counts.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Listed, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+imageColumns+` FROM firmware_images
		WHERE org_id = $1 AND state = 'ready' ORDER BY uploaded_at DESC, id`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list firmware: %w", err)
	}
	imgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Image])
	if err != nil {
		return nil, fmt.Errorf("list firmware: %w", err)
	}
	out := make([]Listed, len(imgs))
	for i, img := range imgs {
		out[i].Image = img
	}
	if len(imgs) == 0 {
		return out, nil
	}
	// The fleet counts know models by product class (not OUI): two
	// vendors' models of one name would be counted together.
	counts, err := dashboard.ModelVersions(ctx, s.pool, a.OrgID)
	if err != nil {
		return nil, err
	}
	perModel := map[string]int{}
	for mv, n := range counts {
		perModel[mv.ProductClass] += n
	}
	for i := range out {
		out[i].Running = counts[dashboard.ModelVersion{ProductClass: out[i].ProductClass, Version: out[i].Version}]
		out[i].ModelDevices = perModel[out[i].ProductClass]
	}
	return out, nil
}

// Get returns one image of the organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Image, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Image{}, err
	}
	return get(ctx, s.pool, a.OrgID, id)
}

func get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (Image, error) {
	img, err := db.One[Image](ctx, exec, `SELECT `+imageColumns+` FROM firmware_images
		WHERE org_id = $1 AND id = $2 AND state = 'ready'`, orgID, id)
	return img, db.MapErr(err)
}

// Delete removes an image from GenieACS and the library.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id uuid.UUID) (Image, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return Image{}, err
	}
	img, err := get(ctx, s.pool, a.OrgID, id)
	if err != nil {
		return Image{}, err
	}
	if s.acs == nil {
		return Image{}, validation.Errors{"file": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	var inUse bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM firmware_deployments WHERE image_id = $1 AND state IN ('running', 'paused', 'halted'))`,
		id).Scan(&inUse); err != nil {
		return Image{}, err
	}
	if inUse {
		return Image{}, ErrImageInUse
	}
	if err := s.acs.DeleteFile(ctx, img.StoredName); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
		return Image{}, err
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM firmware_images WHERE org_id = $1 AND id = $2`, a.OrgID, id)
		if err != nil {
			return fmt.Errorf("delete firmware: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "firmware.delete", TargetType: "firmware", TargetID: img.ID.String(),
			Summary: fmt.Sprintf("deleted %s (%s %s version %s)", img.Filename, img.OUI, img.ProductClass, img.Version),
		})
	})
	return img, err
}
