package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
)

// FoldMargin is how long after a UTC day has passed the stale threshold
// its minutes of last informs are folded into one day of counts. Statuses
// are judged against minutes near the thresholds; a day wholly older than
// the stale one only holds stale devices.
const FoldMargin = time.Hour

// Compact rewrites cpe_fleet_counts as its sums (the triggers on
// cpe_devices only append changes) and folds the minutes of every UTC day
// that ended FoldMargin before the stale threshold into that day. It is one
// statement: readers see the rows before or after it, writers are not
// held, and a second Compact at the same time only rewrites what the first
// left. It returns the rows left. The sync calls it after every pass.
func Compact(ctx context.Context, q db.Executor, now time.Time) (int64, error) {
	horizon := now.Add(-cpe.StaleAfter - FoldMargin)
	tag, err := q.Exec(ctx, `WITH taken AS (
			DELETE FROM cpe_fleet_counts RETURNING *
		), folded AS (
			SELECT org_id, software_version, product_class, devices,
				CASE WHEN date_trunc('day', inform_from, 'UTC') + interval '1 day' <= $1
					THEN date_trunc('day', inform_from, 'UTC') ELSE inform_from END AS inform_from,
				CASE WHEN date_trunc('day', inform_from, 'UTC') + interval '1 day' <= $1
					THEN date_trunc('day', inform_from, 'UTC') + interval '1 day' ELSE inform_until END AS inform_until
			FROM taken
		)
		INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
		SELECT org_id, software_version, product_class, inform_from, inform_until, sum(devices)
		FROM folded
		GROUP BY org_id, software_version, product_class, inform_from, inform_until
		HAVING sum(devices) <> 0`, horizon)
	if err != nil {
		return 0, fmt.Errorf("compact fleet counts: %w", err)
	}
	return tag.RowsAffected(), nil
}
