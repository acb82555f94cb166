package devsync

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// judgeOnline re-judges every owned device's online state from its last
// inform and writes an event per transition, unless the device changed
// state less than Debounce ago (flapping) or had never been judged (the
// first pass sets the baseline quietly). It returns the events written.
func (s *Service) judgeOnline(ctx context.Context) (int, error) {
	window := s.Thresholds.OrDefault().Online
	debounce := or(s.Debounce, 5*time.Minute)
	events := 0
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		changes, err := cpe.JudgeOnline(ctx, tx, window)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Old == "" || (c.Prev != nil && time.Since(*c.Prev) < debounce) {
				continue
			}
			topic := outbox.TopicOnline
			if c.New == "offline" {
				topic = outbox.TopicOffline
			}
			if _, err := outbox.Write(ctx, tx, s.jobs, c.Org, topic, map[string]any{
				"deviceId": c.ID, "serial": c.Serial, "lastInformAt": c.LastInformAt,
			}); err != nil {
				return err
			}
			events++
		}
		return nil
	})
	return events, err
}

// Runs lists the latest passes (the operator organization's owners and
// admins: a pass spans every organization).
func (s *Service) Runs(ctx context.Context, a actor.Actor, limit int) ([]Run, error) {
	if err := a.RequireOperator(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT id, kind, status, started_at, finished_at, seen, created, updated, deleted, skipped, samples,
			skip_reasons, error, watermark FROM sync_runs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	// By name: Run's fields are the columns, underscores aside (pgx's
	// matching without db tags); lax, as Events is counted, not stored.
	return pgx.CollectRows(rows, pgx.RowToStructByNameLax[Run])
}

// Args runs one pass.
type Args struct {
	Pass string `json:"kind"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "cpe_sync" }

// InsertOpts: one pending pass of each kind at a time. ByState leaves out
// completed: River's default keeps a finished pass unique until its row is
// cleaned (24 h), which would swallow every later pass of that kind.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// Worker runs passes; another pass running snoozes (the breaker open too:
// the jobs middleware, jobs.BreakerSnooze, snoozes that).
type Worker struct {
	river.WorkerDefaults[Args]
	Service *Service
}

// Timeout implements river.Worker: a full pass of a large fleet.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return 30 * time.Minute }

// Work runs the pass.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	if w.Service == nil || w.Service.acs == nil {
		return nil
	}
	_, err := w.Service.Sync(ctx, job.Args.Pass)
	switch {
	case errors.Is(err, ErrBusy):
		// Another pass holds the lock (a full pass asked for while an
		// incremental one runs): run after it rather than vanish. An
		// incremental pass takes seconds; someone who pressed "Run a full
		// pass now" is watching.
		return river.JobSnooze(2 * time.Second)
	}
	return err
}

// PeriodicJobs are the incremental pass every `every` and the full pass
// every fullEvery (River's leader enqueues them). Neither runs at start:
// the first incremental pass of an installation with no watermark is a
// full one, and a restart does not need another walk of the fleet.
func PeriodicJobs(every, fullEvery time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return Args{Pass: Incremental}, nil },
			&river.PeriodicJobOpts{ID: "sync-incremental"}),
		river.NewPeriodicJob(river.PeriodicInterval(fullEvery),
			func() (river.JobArgs, *river.InsertOpts) { return Args{Pass: Full}, nil },
			&river.PeriodicJobOpts{ID: "sync-full"}),
	}
}

// Request queues a pass now (the operator organization's owners and
// admins); queued is false when one of that kind was already waiting
// (nothing more is queued).
func (s *Service) Request(ctx context.Context, a actor.Actor, kind string) (queued bool, err error) {
	if err := a.RequireOperator(); err != nil {
		return false, err
	}
	if kind != Full && kind != Incremental {
		return false, validation.Errors{"kind": "must be full or incremental"}
	}
	if s.acs == nil {
		return false, validation.Errors{"kind": "GenieACS is not configured"}
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		res, err := s.jobs.InsertTx(ctx, tx, Args{Pass: kind}, nil)
		if err != nil {
			return err
		}
		if queued = !res.UniqueSkippedAsDuplicate; !queued {
			return nil
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "sync.request", TargetType: "sync", Summary: "asked for a " + kind + " device sync"})
	})
	return queued, err
}

// Enabled reports whether passes can run (GenieACS is configured).
func (s *Service) Enabled() bool { return s != nil && s.acs != nil }
