// Package housekeeping is the periodic clean-up job: expired sessions,
// stale login-failure counters, delivered outbox events and device health
// samples past retention.
// River runs it on the elected leader only, so replicas never race.
package housekeeping

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/user"
)

// Args is the periodic job's (empty) arguments.
type Args struct{}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "housekeeping" }

// Retention says how long delivered webhook events are kept.
const Retention = 30 * 24 * time.Hour

// Worker runs one clean-up pass.
type Worker struct {
	river.WorkerDefaults[Args]
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// MetricsRetention bounds the device health time series (default 30
	// days).
	MetricsRetention time.Duration
}

// Work deletes what has expired and logs the counts.
func (w *Worker) Work(ctx context.Context, _ *river.Job[Args]) error {
	sessions, err := session.DeleteExpired(ctx, w.Pool)
	if err != nil {
		return err
	}
	failures, err := user.DeleteStaleFailures(ctx, w.Pool, time.Hour)
	if err != nil {
		return err
	}
	events, err := outbox.DeleteOlderThan(ctx, w.Pool, Retention)
	if err != nil {
		return err
	}
	keep := w.MetricsRetention
	if keep <= 0 {
		keep = 30 * 24 * time.Hour
	}
	samples, err := w.Pool.Exec(ctx, `DELETE FROM cpe_metrics WHERE at < now() - $1::interval`, keep.String())
	if err != nil {
		return err
	}
	// The Integration page looks an hour back; a week is kept for a look
	// at last week's storm.
	calls, err := w.Pool.Exec(ctx, `DELETE FROM identify_calls WHERE minute < now() - interval '7 days'`)
	if err != nil {
		return err
	}
	w.Logger.InfoContext(ctx, "housekeeping", "expired_sessions", sessions, "stale_login_failures", failures, "old_events", events,
		"old_health_samples", samples.RowsAffected(), "old_identify_tallies", calls.RowsAffected())
	return nil
}
