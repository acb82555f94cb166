package genieacs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Outage: one failed call is not an outage, two in a row are (since the
// first); any answer from GenieACS ends it, a 404 included; an open
// breaker is an outage whatever the counts say.
func TestOutageFollowsTheCalls(t *testing.T) {
	t.Parallel()
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("total", "0")
		w.WriteHeader(int(status.Load()))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := New(Config{NBIURL: u, Breaker: BreakerSettings{MinRequests: 6, FailureRatio: 0.5, OpenFor: time.Hour}})
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, c.Probe(ctx))
	_, down := c.Outage()
	require.False(t, down)

	status.Store(http.StatusServiceUnavailable)
	before := time.Now()
	require.Error(t, c.Probe(ctx))
	_, down = c.Outage()
	require.False(t, down, "one failure is not an outage")
	require.Error(t, c.Probe(ctx))
	since, down := c.Outage()
	require.True(t, down)
	require.False(t, since.Before(before), "since the first failure of the streak")
	require.False(t, since.After(time.Now()))

	status.Store(http.StatusNotFound)
	require.Error(t, c.Probe(ctx))
	_, down = c.Outage()
	require.False(t, down, "a 404 is an answer")

	status.Store(http.StatusServiceUnavailable)
	for range 4 {
		_ = c.Probe(ctx)
	}
	require.Equal(t, "open", c.BreakerState())
	status.Store(http.StatusOK)
	require.ErrorIs(t, c.Probe(ctx), ErrCircuitOpen)
	since2, down := c.Outage()
	require.True(t, down, "the breaker is open: no call is made")
	require.False(t, since2.Before(since))
}
