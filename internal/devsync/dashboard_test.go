package devsync_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// clock is a settable clock shared by the simulator and the dashboard.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Simulated devices taken offline are offline on the dashboard after one
// sync pass, and stale once the stale threshold has passed: the clock is
// injected and each threshold is checked at its boundary (a last inform
// exactly OFFLINE_AFTER ago is offline, a microsecond less is online; the
// same for STALE_AFTER), before and after the counts are compacted.
func TestDashboardFollowsTheSimulatedFleet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	t0 := time.Now().UTC().Truncate(time.Second)
	simClock := &clock{}
	simClock.Set(t0)
	// Devices inform once a day (no scheduled inform in this test): each
	// inform below is the test's.
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 12, Seed: 11, InformInterval: 24 * time.Hour,
		Now: simClock.Now, SessionDelay: time.Millisecond})
	s := service(t, pool, client(t, sim.NBIURL))
	o := testfactory.Org(ctx, t, pool, nil)
	viewer := testfactory.Actor(testfactory.User(ctx, t, pool, o, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleViewer)}))

	_, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	all, err := cpetest.All(ctx, pool)
	require.NoError(t, err)
	claimed := make([]uuid.UUID, len(all))
	for i, d := range all {
		claimed[i] = d.ID
	}
	require.NoError(t, cpetest.SetOrg(ctx, pool, claimed, &o.ID)) // every device claimed by the organization

	at := func(now time.Time) dashboard.Fleet {
		t.Helper()
		f, err := dashboard.NewServiceTTL(pool, 0).WithClock(func() time.Time { return now }).Fleet(ctx, viewer)
		require.NoError(t, err)
		return f
	}
	type counts struct{ total, online, offline, stale, never int }
	of := func(f dashboard.Fleet) counts {
		return counts{f.Total, f.Online, f.RecentlyOffline, f.Stale, f.NeverSeen}
	}
	require.Equal(t, counts{12, 12, 0, 0, 0}, of(at(t0.Add(time.Minute))))

	// Three devices go offline; the others inform five minutes later.
	ids := sim.DeviceIDs()
	down := ids[:3]
	for _, id := range down {
		require.NoError(t, sim.SetOnline(id, false))
	}
	simClock.Set(t0.Add(5 * time.Minute))
	for _, id := range ids[3:] {
		require.NoError(t, sim.Inform(ctx, id))
	}
	inc, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Equal(t, 9, inc.Updated, "one pass brings the informs")

	offlineAt := t0.Add(10 * time.Minute) // the downed devices' last inform is OFFLINE_AFTER old
	require.Equal(t, counts{12, 12, 0, 0, 0}, of(at(offlineAt.Add(-time.Microsecond))), "a microsecond before the threshold")
	require.Equal(t, counts{12, 9, 3, 0, 0}, of(at(offlineAt)), "at the threshold")
	require.Equal(t, 3, at(offlineAt).Offline())

	staleAt := t0.Add(time.Hour)
	require.Equal(t, counts{12, 0, 12, 0, 0}, of(at(staleAt.Add(-time.Microsecond))))
	require.Equal(t, counts{12, 0, 9, 3, 0}, of(at(staleAt)), "stale at STALE_AFTER")

	// Compaction long after (the minutes folded into their day) changes
	// no figure; near the thresholds the day is counted device by device.
	_, err = dashboard.Compact(ctx, pool, cpe.DefaultThresholds(), t0.Add(30*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, count(t, pool, `SELECT count(DISTINCT (inform_from, inform_until)) FROM cpe_fleet_counts WHERE org_id = $1`, o.ID),
		"both minutes are in one day now")
	require.Equal(t, counts{12, 9, 3, 0, 0}, of(at(offlineAt)))
	require.Equal(t, counts{12, 0, 9, 3, 0}, of(at(staleAt)))
	require.Equal(t, counts{12, 0, 0, 12, 0}, of(at(t0.Add(30*24*time.Hour))))

	// A downed device comes back: online again after the next pass.
	require.NoError(t, sim.SetOnline(down[0], true))
	simClock.Set(t0.Add(20 * time.Minute))
	require.NoError(t, sim.Inform(ctx, down[0]))
	_, err = s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Equal(t, counts{12, 1, 11, 0, 0}, of(at(t0.Add(21*time.Minute))))
}
