package fault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/metrics"
)

// PollArgs is the fault poll job.
type PollArgs struct{}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "fault_poll" }

// InsertOpts puts it on the GenieACS queue, one unfinished poll at a time:
// a poll that waits for GenieACS is not joined by the next minute's.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// PeriodicJob polls faults every interval (a minute when zero) and once at
// start. Register it only when GenieACS is configured.
func PeriodicJob(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = time.Minute
	}
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return PollArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "fault_poll"})
}

// PollWorker runs Service.Poll: GenieACS not configured → cancel; other
// errors → River retries (the next minute's poll covers the rest), except
// the breaker open, which the jobs middleware (jobs.BreakerSnooze) turns
// into a snooze.
type PollWorker struct {
	river.WorkerDefaults[PollArgs]
	Service *Service
	Logger  *slog.Logger
	Metrics *metrics.Metrics
}

// Timeout implements river.Worker: tens of thousands of faults take a
// while to read and write.
func (w *PollWorker) Timeout(*river.Job[PollArgs]) time.Duration { return 2 * time.Minute }

// Work polls once and logs what it did and what it skipped.
func (w *PollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res, err := w.Service.Poll(ctx)
	switch {
	case errors.Is(err, ErrNoGenieACS):
		return river.JobCancel(err)
	case err != nil:
		w.Metrics.FaultPoll("failed", 0, 0, 0, 0, 0)
		return err
	}
	w.Metrics.FaultPoll("done", res.Seen, res.Raised, res.Updated, res.Resolved, res.Skipped)
	for _, s := range res.Skips {
		log.WarnContext(ctx, "fault poll skipped a malformed GenieACS fault", "fault_id", fmt.Sprintf("%q", s.ID), "reason", s.Reason)
	}
	log.InfoContext(ctx, "fault poll done", "seen", res.Seen, "raised", res.Raised, "updated", res.Updated,
		"resolved", res.Resolved, "skipped", res.Skipped)
	return nil
}
