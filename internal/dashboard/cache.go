package dashboard

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// DefaultCacheTTL is how long an organization's fleet figures are served
// before they are computed again. Computing them takes about 10-20 ms for
// 100,000 devices (docs/benchmarks.md); the figures move on a scale of
// minutes (online is an inform within 10), so a dashboard that many staff
// keep open costs one computation per TTL, not one per view. AsOf says how
// old the figures are.
const DefaultCacheTTL = 15 * time.Second

// computeTimeout bounds one computation, which outlives the request that
// started it (others may be waiting for it).
const computeTimeout = 30 * time.Second

// fleetCache holds each organization's latest fleet figures and computes
// them at most once at a time, however many requests ask together.
type fleetCache struct {
	ttl  time.Duration
	mu   sync.Mutex
	orgs map[uuid.UUID]*fleetEntry
}

type fleetEntry struct {
	ready chan struct{} // closed once fleet and err are set
	at    time.Time     // when the computation started (monotonic)
	fleet Fleet
	err   error
}

// get returns org's figures younger than the TTL, or computes them. A
// failed computation is not kept.
func (c *fleetCache) get(ctx context.Context, org uuid.UUID, compute func(context.Context) (Fleet, error)) (Fleet, error) {
	c.mu.Lock()
	e := c.orgs[org]
	if e != nil {
		select {
		case <-e.ready:
			if e.err != nil || time.Since(e.at) >= c.ttl {
				e = nil
			}
		default: // in flight: wait for it below
		}
	}
	if e == nil {
		e = &fleetEntry{ready: make(chan struct{}), at: time.Now()}
		c.orgs[org] = e
		c.mu.Unlock()
		func() {
			defer close(e.ready)
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
			defer cancel()
			e.fleet, e.err = compute(cctx)
		}()
		return e.fleet, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
		return e.fleet, e.err
	case <-ctx.Done():
		return Fleet{}, ctx.Err()
	}
}
