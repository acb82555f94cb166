package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
)

// breakerArgs is a job whose work returns what its test says.
type breakerArgs struct {
	Name string `json:"name"`
}

func (breakerArgs) Kind() string { return "breaker_test" }

func (breakerArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 3}
}

var errOther = errors.New("GenieACS answered 500")

// outcomes are what the work returns, by breakerArgs.Name, in turn.
type outcomes map[string][]error

func (o outcomes) worker() river.Worker[breakerArgs] {
	return river.WorkFunc(func(_ context.Context, job *river.Job[breakerArgs]) error {
		errs := o[job.Args.Name]
		err := errs[0]
		o[job.Args.Name] = errs[1:]
		return err
	})
}

func breakerSnoozes(t *testing.T, job *rivertype.JobRow) int {
	t.Helper()
	var md struct {
		N int `json:"genieacs_breaker_snoozes"`
	}
	require.NoError(t, json.Unmarshal(job.Metadata, &md))
	return md.N
}

// TestBreakerSnooze: work failing because GenieACS's breaker is open is
// snoozed (no attempt used, no error recorded) with a growing wait, and
// runs again; other errors, and snoozes or cancels a worker chose, pass
// through untouched.
func TestBreakerSnooze(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	const base = 10 * time.Second // above River's scheduler interval: the job is "scheduled"
	newWorker := func(t *testing.T, o outcomes) (*rivertest.Worker[breakerArgs, pgx.Tx], pgx.Tx) {
		t.Helper()
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
		cfg := &river.Config{Middleware: []rivertype.Middleware{&jobs.BreakerSnooze{Base: base}}}
		return rivertest.NewWorker(t, riverpgxv5.New(nil), cfg, o.worker()), tx
	}
	circuitOpen := fmt.Errorf("get device: %w", genieacs.ErrCircuitOpen)

	t.Run("breaker open snoozes, growing, until GenieACS answers", func(t *testing.T) {
		t.Parallel()
		w, tx := newWorker(t, outcomes{"a": {circuitOpen, circuitOpen, nil}})
		res, err := w.Work(ctx, t, tx, breakerArgs{Name: "a"}, nil)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobSnoozed, res.EventKind, "snoozed, not failed")
		require.Equal(t, rivertype.JobStateScheduled, res.Job.State)
		require.Zero(t, res.Job.Attempt, "its attempt given back")
		require.Empty(t, res.Job.Errors)
		require.WithinDuration(t, time.Now().Add(base), res.Job.ScheduledAt, 2*time.Second)
		require.Equal(t, 1, breakerSnoozes(t, res.Job))

		res, err = w.WorkJob(ctx, t, tx, res.Job)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobSnoozed, res.EventKind)
		require.Zero(t, res.Job.Attempt)
		require.Empty(t, res.Job.Errors)
		require.WithinDuration(t, time.Now().Add(2*base), res.Job.ScheduledAt, 2*time.Second, "the wait doubles")
		require.Equal(t, 2, breakerSnoozes(t, res.Job))

		res, err = w.WorkJob(ctx, t, tx, res.Job)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobCompleted, res.EventKind, "runs again once GenieACS is back")
		require.Equal(t, 0, breakerSnoozes(t, res.Job), "the count starts over")
	})

	t.Run("other errors pass through", func(t *testing.T) {
		t.Parallel()
		w, tx := newWorker(t, outcomes{"b": {errOther}})
		res, err := w.Work(ctx, t, tx, breakerArgs{Name: "b"}, nil)
		require.ErrorIs(t, err, errOther)
		require.Equal(t, river.EventKindJobFailed, res.EventKind)
		// Retried on River's backoff (the first retry is due at once: available).
		require.Contains(t, []rivertype.JobState{rivertype.JobStateRetryable, rivertype.JobStateAvailable}, res.Job.State)
		require.Equal(t, 1, res.Job.Attempt, "the attempt is used")
		require.Len(t, res.Job.Errors, 1)
		require.Equal(t, errOther.Error(), res.Job.Errors[0].Error)
	})

	t.Run("an error after breaker snoozes resets the count", func(t *testing.T) {
		t.Parallel()
		w, tx := newWorker(t, outcomes{"c": {circuitOpen, errOther, circuitOpen}})
		res, err := w.Work(ctx, t, tx, breakerArgs{Name: "c"}, nil)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobSnoozed, res.EventKind)
		res, err = w.WorkJob(ctx, t, tx, res.Job)
		require.ErrorIs(t, err, errOther)
		require.Equal(t, river.EventKindJobFailed, res.EventKind)
		require.Equal(t, 0, breakerSnoozes(t, res.Job))
		res, err = w.WorkJob(ctx, t, tx, res.Job)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobSnoozed, res.EventKind)
		require.WithinDuration(t, time.Now().Add(base), res.Job.ScheduledAt, 2*time.Second, "back to the first wait")
	})

	t.Run("a worker's own snooze or cancel is kept", func(t *testing.T) {
		t.Parallel()
		w, tx := newWorker(t, outcomes{
			"snooze": {river.JobSnooze(time.Hour)},
			"cancel": {river.JobCancel(circuitOpen)},
		})
		res, err := w.Work(ctx, t, tx, breakerArgs{Name: "snooze"}, nil)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobSnoozed, res.EventKind)
		require.WithinDuration(t, time.Now().Add(time.Hour), res.Job.ScheduledAt, 2*time.Second)
		require.Equal(t, 0, breakerSnoozes(t, res.Job))

		res, err = w.Work(ctx, t, tx, breakerArgs{Name: "cancel"}, nil)
		require.NoError(t, err)
		require.Equal(t, river.EventKindJobCancelled, res.EventKind)
		require.Equal(t, rivertype.JobStateCancelled, res.Job.State)
		require.Len(t, res.Job.Errors, 1)
		require.Contains(t, res.Job.Errors[0].Error, genieacs.ErrCircuitOpen.Error())
	})
}

// TestBreakerSnoozeDelay: Base × 2^n, capped at Max (defaults 15 s, 2 min).
func TestBreakerSnoozeDelay(t *testing.T) {
	t.Parallel()
	var m jobs.BreakerSnooze
	var got []time.Duration
	for n := range 7 {
		got = append(got, m.Delay(n))
	}
	require.Equal(t, []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
		2 * time.Minute, 2 * time.Minute, 2 * time.Minute}, got)
	require.Equal(t, 2*time.Minute, m.Delay(1000), "no overflow")
	require.Equal(t, 3*time.Second, (&jobs.BreakerSnooze{Base: time.Second, Max: 3 * time.Second}).Delay(2))
	require.Equal(t, time.Hour, (&jobs.BreakerSnooze{Base: time.Hour}).Delay(3), "Max is never below Base")
}
