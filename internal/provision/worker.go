package provision

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// StateKey is where the last result is kept in system_state.
const StateKey = "genieacs.bootstrap"

// BootstrapArgs is the job that runs Bootstrap.
type BootstrapArgs struct{}

// Kind implements river.JobArgs.
func (BootstrapArgs) Kind() string { return "genieacs_bootstrap" }

// InsertOpts puts it on the GenieACS queue, one unfinished run at a time
// (replicas starting together insert it once).
func (BootstrapArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 50, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// BootstrapWorker runs Bootstrap and records the outcome.
type BootstrapWorker struct {
	river.WorkerDefaults[BootstrapArgs]
	Pool   *pgxpool.Pool
	Client *genieacs.Client
	Logger *slog.Logger
}

// Work uploads what is missing. A script GenieACS refuses is a bug here,
// not a transient: the job is cancelled. The breaker open is returned as
// is: the jobs middleware (jobs.BreakerSnooze) snoozes the job.
func (w *BootstrapWorker) Work(ctx context.Context, job *river.Job[BootstrapArgs]) error {
	res, err := Bootstrap(ctx, w.Client)
	if err != nil {
		res.Error = err.Error()
	}
	if serr := SaveResult(ctx, w.Pool, res); serr != nil {
		w.Logger.ErrorContext(ctx, "record bootstrap result", "err", serr)
	}
	switch {
	case err == nil:
		w.Logger.InfoContext(ctx, "genieacs bootstrap done", "uploaded", res.Uploaded, "unchanged", len(res.Unchanged))
		return nil
	case errors.Is(err, genieacs.ErrScript):
		return river.JobCancel(err)
	}
	return err
}

// SaveResult stores a bootstrap result for the System page.
func SaveResult(ctx context.Context, pool *pgxpool.Pool, res Result) error {
	return db.PutState(ctx, pool, StateKey, res)
}

// LastResult reads the last bootstrap result (ok false if none yet).
func LastResult(ctx context.Context, pool *pgxpool.Pool) (Result, bool, error) {
	return db.GetState[Result](ctx, pool, StateKey)
}
