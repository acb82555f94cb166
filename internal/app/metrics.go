package app

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/metrics"
)

// registerGauges adds the families read when /metrics is scraped: River's
// queues, the fleet per organization, the GenieACS breaker.
func (a *App) registerGauges() {
	a.Metrics.Gauge("river_queue_jobs", "River jobs not finished, per queue and state.",
		[]string{"queue", "state"}, func(ctx context.Context) ([]metrics.Sample, error) {
			rows, err := a.Pool.Query(ctx, `SELECT queue, state::text AS state, count(*)::float8 AS n FROM river_job
				WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending') GROUP BY 1, 2`)
			if err != nil {
				return nil, fmt.Errorf("river queue depth: %w", err)
			}
			type row struct {
				Queue string  `db:"queue"`
				State string  `db:"state"`
				N     float64 `db:"n"`
			}
			rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
			if err != nil {
				return nil, err
			}
			out := make([]metrics.Sample, len(rs))
			for i, r := range rs {
				out[i] = metrics.Sample{Labels: []string{r.Queue, r.State}, Value: r.N}
			}
			return out, nil
		})
	a.Metrics.Gauge("devices", "Devices per organization by status (online, offline, stale, never_seen) as the dashboard counts them.",
		[]string{"org", "status"}, func(ctx context.Context) ([]metrics.Sample, error) {
			orgs, err := a.Dashboard.StatesByOrg(ctx)
			if err != nil {
				return nil, err
			}
			var out []metrics.Sample
			for _, o := range orgs {
				for status, n := range map[string]int{"online": o.Online, "offline": o.Offline, "stale": o.Stale, "never_seen": o.NeverSeen} {
					out = append(out, metrics.Sample{Labels: []string{o.Slug, status}, Value: float64(n)})
				}
			}
			return out, nil
		})
	a.Metrics.Gauge("optical_alarms", "GPON ONTs in optical alarm per organization.",
		[]string{"org"}, func(ctx context.Context) ([]metrics.Sample, error) {
			orgs, err := a.Dashboard.StatesByOrg(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]metrics.Sample, len(orgs))
			for i, o := range orgs {
				out[i] = metrics.Sample{Labels: []string{o.Slug}, Value: float64(o.Alarms)}
			}
			return out, nil
		})
	if a.GenieACS == nil {
		return
	}
	a.Metrics.Gauge("genieacs_breaker_state", "The GenieACS circuit breaker: 1 for its current state (closed, half-open, open), 0 for the others.",
		[]string{"state"}, func(context.Context) ([]metrics.Sample, error) {
			now := a.GenieACS.BreakerState()
			out := make([]metrics.Sample, 0, 3)
			for _, st := range []string{"closed", "half-open", "open"} {
				v := 0.0
				if st == now {
					v = 1
				}
				out = append(out, metrics.Sample{Labels: []string{st}, Value: v})
			}
			return out, nil
		})
}
