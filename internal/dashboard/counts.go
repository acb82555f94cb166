package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// FoldMargin is how long after a UTC day has passed the stale threshold
// its minutes and hours of last informs are folded into one day of counts,
// and how long after an hour has passed the online threshold its minutes
// are folded into that hour. Statuses are judged against the minutes near
// the online threshold; an hour long past it only holds offline or stale
// devices, a day long past the stale threshold only stale ones. Where the
// stale threshold falls inside an hour (or, after a change of STALE_AFTER,
// a day), that span is counted device by device: few devices go silent in
// any one hour.
const FoldMargin = time.Hour

// hourMargin is how long after an hour has passed the online threshold its
// minutes are folded into it.
const hourMargin = 5 * time.Minute

// Compact rewrites cpe_fleet_counts as its sums (the triggers on
// cpe_devices only append changes), folding minutes into hours and hours
// into days as they age (FoldMargin). It is one statement: readers see the
// rows before or after it, writers are not held, and a second Compact at
// the same time only rewrites what the first left. It returns the rows
// left. The sync calls it after every pass, with the thresholds the
// dashboard judges against (a zero field keeps its default).
func Compact(ctx context.Context, q db.Executor, th cpe.Thresholds, now time.Time) (int64, error) {
	th = th.OrDefault()
	days := now.Add(-th.Stale - FoldMargin)
	hours := now.Add(-th.Online - hourMargin)
	tag, err := q.Exec(ctx, `WITH taken AS (
			DELETE FROM cpe_fleet_counts RETURNING *
		), folded AS (
			SELECT org_id, software_version, product_class, devices,
				-- Only ever wider: a day stays a day.
				CASE WHEN inform_until - inform_from < interval '1 day'
						AND date_trunc('day', inform_from, 'UTC') + interval '1 day' <= $1 THEN 'day'
					WHEN inform_until - inform_from < interval '1 hour'
						AND date_trunc('hour', inform_from, 'UTC') + interval '1 hour' <= $2 THEN 'hour' END AS unit,
				inform_from, inform_until
			FROM taken
		)
		INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
		SELECT org_id, software_version, product_class,
			CASE WHEN unit IS NULL THEN inform_from ELSE date_trunc(unit, inform_from, 'UTC') END AS f,
			CASE WHEN unit IS NULL THEN inform_until ELSE date_trunc(unit, inform_from, 'UTC') + ('1 ' || unit)::interval END AS u,
			sum(devices)
		FROM folded
		GROUP BY org_id, software_version, product_class, f, u
		HAVING sum(devices) <> 0`, days, hours)
	if err != nil {
		return 0, fmt.Errorf("compact fleet counts: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ModelVersion is a model (product class) and a firmware version.
type ModelVersion struct{ ProductClass, Version string }

// ModelVersions counts an organization's devices per model and firmware
// version from the fleet counts (a few rows per model, whatever the
// fleet's size).
func ModelVersions(ctx context.Context, q db.Executor, orgID uuid.UUID) (map[ModelVersion]int, error) {
	rows, err := q.Query(ctx, `SELECT product_class, software_version, sum(devices)::int AS devices
		FROM cpe_fleet_counts WHERE org_id = $1 GROUP BY product_class, software_version HAVING sum(devices) <> 0`, orgID)
	if err != nil {
		return nil, fmt.Errorf("model versions: %w", err)
	}
	counted, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		ProductClass string `db:"product_class"`
		Version      string `db:"software_version"`
		Devices      int    `db:"devices"`
	}])
	if err != nil {
		return nil, fmt.Errorf("model versions: %w", err)
	}
	out := make(map[ModelVersion]int, len(counted))
	for _, c := range counted {
		out[ModelVersion{ProductClass: c.ProductClass, Version: c.Version}] = c.Devices
	}
	return out, nil
}
