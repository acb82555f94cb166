package provision_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/provisions"
)

func newClient(t *testing.T, sim *acssim.TestServer, b genieacs.BreakerSettings) *genieacs.Client {
	t.Helper()
	u, err := url.Parse(sim.NBIURL)
	require.NoError(t, err)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 5 * time.Second, Breaker: b})
	require.NoError(t, err)
	return c
}

func TestBootstrapIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := acssim.NewTestServer(t, acssim.Options{})
	c := newClient(t, sim, genieacs.BreakerSettings{})

	res, err := provision.Bootstrap(ctx, c)
	require.NoError(t, err)
	require.True(t, res.OK)
	require.Len(t, res.Uploaded, 7, "3 provisions, 3 presets, 1 file")
	for _, name := range provisions.Names() {
		script, ok := sim.Provision(name)
		require.True(t, ok, name)
		want, err := provisions.Render(name)
		require.NoError(t, err)
		require.Equal(t, want, script)
		_, ok = sim.Preset(name)
		require.True(t, ok, name)
	}
	_, size, ok := sim.File(provision.SpeedTestFile)
	require.True(t, ok)
	require.EqualValues(t, provision.SpeedTestSize, size)

	res, err = provision.Bootstrap(ctx, c)
	require.NoError(t, err)
	require.Empty(t, res.Uploaded, "unchanged content is not uploaded again")
	require.Len(t, res.Unchanged, 7)

	// A preset edited in GenieACS is put back.
	require.NoError(t, c.PutPreset(ctx, provisions.Health, genieacs.Preset{Channel: "x", Events: map[string]bool{}}))
	res, err = provision.Bootstrap(ctx, c)
	require.NoError(t, err)
	require.Equal(t, []string{"preset " + provisions.Health}, res.Uploaded)
}

// TestBootstrapJobSnoozesWhileGenieACSIsDown: GenieACS answers 500s, the
// breaker opens, the job snoozes instead of burning retries, and completes
// once GenieACS recovers.
func TestBootstrapJobSnoozesWhileGenieACSIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim := acssim.NewTestServer(t, acssim.Options{})
	// Open long enough that the worker (slow to start on a loaded
	// machine) meets it open: half-open, its call would reach the failing
	// GenieACS and use an attempt.
	c := newClient(t, sim, genieacs.BreakerSettings{MinRequests: 2, FailureRatio: 0.5, OpenFor: 8 * time.Second, HalfOpenMax: 1})

	// GenieACS answers 500s until the breaker opens.
	sim.SetFailure(acssim.Failure{Status: http.StatusInternalServerError})
	for c.BreakerState() != "open" {
		_, err := c.CountDevices(ctx, nil)
		require.Error(t, err)
	}

	logger := slog.New(slog.DiscardHandler)
	ins, err := jobs.NewInserter(pool, logger)
	require.NoError(t, err)
	wc, err := jobs.NewWorkerClient(jobs.Deps{Pool: pool, Logger: logger, Inserter: ins, GenieACS: c,
		HTTPClient: outbox.NewHTTPClient(true), BreakerSnooze: time.Second, Fast: true})
	require.NoError(t, err)
	require.NoError(t, wc.Start(ctx))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })

	inserted, err := ins.Insert(ctx, provision.BootstrapArgs{}, nil)
	require.NoError(t, err)
	jobID := inserted.Job.ID
	dup, err := ins.Insert(ctx, provision.BootstrapArgs{}, nil)
	require.NoError(t, err)
	require.True(t, dup.UniqueSkippedAsDuplicate, "one unfinished bootstrap at a time")

	// The open breaker fails the call fast; the job snoozes (no error, no
	// attempt used: River's retry backoff never grows).
	require.Eventually(t, func() bool {
		j, err := wc.JobGet(ctx, jobID)
		// A snoozed job is available again later, its attempt given back.
		return err == nil && j.State == rivertype.JobStateAvailable && j.ScheduledAt.After(time.Now()) &&
			j.Attempt == 0 && len(j.Errors) == 0
	}, 8*time.Second, 10*time.Millisecond)
	res, ok, err := provision.LastResult(ctx, pool)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, res.OK)
	require.Contains(t, res.Error, "circuit breaker open")

	// GenieACS recovers; after the open period the breaker lets a trial
	// call through and the snoozed job completes.
	sim.SetFailure(acssim.Failure{})
	require.Eventually(t, func() bool {
		j, err := wc.JobGet(ctx, jobID)
		return err == nil && j.State == rivertype.JobStateCompleted
	}, 30*time.Second, 20*time.Millisecond, "completes after recovery")
	res, _, err = provision.LastResult(ctx, pool)
	require.NoError(t, err)
	require.True(t, res.OK)
	_, ok = sim.Provision(provisions.Bootstrap)
	require.True(t, ok)
	require.Equal(t, "closed", c.BreakerState())
}
