package dashboard

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestFleetCache runs each case in a synctest bubble: its clock is fake
// (time.Sleep moves it at once, no wall time passes) and synctest.Wait
// returns once every goroutine of the case is blocked.
func TestFleetCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newCache := func(ttl time.Duration) *fleetCache {
		return &fleetCache{ttl: ttl, orgs: map[uuid.UUID]*fleetEntry{}}
	}
	counting := func(n *atomic.Int64) func(context.Context) (Fleet, error) {
		return func(context.Context) (Fleet, error) { return Fleet{Total: int(n.Add(1))}, nil }
	}

	t.Run("KeptForTTLPerOrganization", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(time.Hour)
			var n atomic.Int64
			a, b := uuid.New(), uuid.New()
			f, err := c.get(ctx, a, counting(&n))
			require.NoError(t, err)
			require.Equal(t, 1, f.Total)
			f, _ = c.get(ctx, a, counting(&n))
			require.Equal(t, 1, f.Total, "served from the cache")
			f, _ = c.get(ctx, b, counting(&n))
			require.Equal(t, 2, f.Total, "another organization has its own entry")
		})
	})

	t.Run("RecomputedAfterTTL", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(20 * time.Millisecond)
			var n atomic.Int64
			org := uuid.New()
			_, _ = c.get(ctx, org, counting(&n))
			time.Sleep(30 * time.Millisecond) // the fake clock: no wall time passes
			f, _ := c.get(ctx, org, counting(&n))
			require.Equal(t, 2, f.Total)
		})
	})

	t.Run("ZeroTTLComputesEveryCall", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(0)
			var n atomic.Int64
			org := uuid.New()
			_, _ = c.get(ctx, org, counting(&n))
			f, _ := c.get(ctx, org, counting(&n))
			require.Equal(t, 2, f.Total)
		})
	})

	t.Run("ErrorsAreNotKept", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(time.Hour)
			org := uuid.New()
			boom := errors.New("boom")
			_, err := c.get(ctx, org, func(context.Context) (Fleet, error) { return Fleet{}, boom })
			require.ErrorIs(t, err, boom)
			var n atomic.Int64
			f, err := c.get(ctx, org, counting(&n))
			require.NoError(t, err)
			require.Equal(t, 1, f.Total)
		})
	})

	t.Run("ConcurrentCallsShareOneComputation", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(time.Hour)
			org := uuid.New()
			var n atomic.Int64
			release := make(chan struct{})
			slow := func(context.Context) (Fleet, error) {
				<-release
				return Fleet{Total: int(n.Add(1))}, nil
			}
			var wg sync.WaitGroup
			totals := make([]int, 8)
			for i := range totals {
				wg.Go(func() {
					f, err := c.get(ctx, org, slow)
					require.NoError(t, err)
					totals[i] = f.Total
				})
			}
			synctest.Wait() // all eight wait: the first on release, the others on it
			close(release)
			wg.Wait()
			require.Equal(t, int64(1), n.Load())
			require.Equal(t, []int{1, 1, 1, 1, 1, 1, 1, 1}, totals)
		})
	})

	t.Run("ACancelledFirstCallerStillFillsTheEntry", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c := newCache(time.Hour)
			org := uuid.New()
			first, cancel := context.WithCancel(ctx)
			started := make(chan struct{})
			done := make(chan Fleet)
			go func() {
				f, _ := c.get(first, org, func(ctx context.Context) (Fleet, error) {
					close(started)
					time.Sleep(20 * time.Millisecond) // the fake clock: it ends once the second caller waits for it
					return Fleet{Total: 7}, ctx.Err()
				})
				done <- f
			}()
			<-started
			cancel()
			f, err := c.get(ctx, org, func(context.Context) (Fleet, error) { return Fleet{}, errors.New("not called") })
			require.NoError(t, err)
			require.Equal(t, 7, f.Total)
			require.Equal(t, 7, (<-done).Total)
		})
	})
}
