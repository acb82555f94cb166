package fault_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
)

// TestPollJobSnoozesWhileGenieACSIsDown: on the GenieACS queue, with the
// breaker open, the poll snoozes (no attempt used) and polls once GenieACS
// is back.
func TestPollJobSnoozesWhileGenieACSIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 1, Seed: 7})
	u, _ := url.Parse(sim.NBIURL)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 5 * time.Second,
		// Open long enough that the job surely runs while it is, however
		// slowly River starts on a loaded machine.
		Breaker: genieacs.BreakerSettings{MinRequests: 2, FailureRatio: 0.5, OpenFor: 5 * time.Second, HalfOpenMax: 1}})
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	ins, err := jobs.NewInserter(pool, logger)
	require.NoError(t, err)
	svc := fault.NewService(pool, c, ins)
	gid := sim.DeviceIDs()[0]
	require.NoError(t, sim.PutFaultDocument(doc(gid, "default", "cwmp.9002", 0, "2026-01-02T03:04:05.000Z")))

	sim.SetFailure(acssim.Failure{Status: http.StatusInternalServerError})
	for c.BreakerState() != "open" {
		_, err := c.CountDevices(ctx, nil)
		require.Error(t, err)
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &fault.PollWorker{Service: svc, Logger: logger})
	wc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:        logger,
		Middleware:    []rivertype.Middleware{&jobs.BreakerSnooze{Base: time.Second}},
		Queues:        map[string]river.QueueConfig{genieacs.QueueName: {MaxWorkers: 1}},
		Workers:       workers,
		PeriodicJobs:  []*river.PeriodicJob{fault.PeriodicJob(time.Hour)},
		FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, wc.Start(ctx))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })

	inserted, err := ins.Insert(ctx, fault.PollArgs{}, nil)
	require.NoError(t, err)
	var job *rivertype.JobRow
	require.Eventually(t, func() bool {
		j, err := wc.JobGet(ctx, inserted.Job.ID)
		job = j
		// Snoozed: available again later, its attempt given back.
		return err == nil && j.State == rivertype.JobStateAvailable && j.ScheduledAt.After(time.Now()) && j.Attempt == 0 && len(j.Errors) == 0
	}, 5*time.Second, 10*time.Millisecond, "snoozed, not failed")
	require.Equal(t, genieacs.QueueName, job.Queue)
	dup, err := ins.Insert(ctx, fault.PollArgs{}, nil)
	require.NoError(t, err)
	require.True(t, dup.UniqueSkippedAsDuplicate, "one unfinished poll at a time")

	sim.SetFailure(acssim.Failure{})
	require.Eventually(t, func() bool {
		j, err := wc.JobGet(ctx, job.ID)
		return err == nil && j.State == rivertype.JobStateCompleted
	}, 15*time.Second, 20*time.Millisecond, "polls once GenieACS is back")
	var status string
	require.NoError(t, pool.QueryRow(ctx, `SELECT status FROM cpe_faults WHERE genieacs_id = $1`, gid+":default").Scan(&status))
	require.Equal(t, "active", status)
}
