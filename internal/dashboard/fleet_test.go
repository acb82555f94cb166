package dashboard_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/testfactory"
)

type testBundle struct {
	pool       *pgxpool.Pool
	svc        *dashboard.Service
	orgA, orgB org.Org
	viewerA    actor.Actor
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	b := &testBundle{pool: pool, svc: dashboard.NewService(pool)}
	b.orgA = testfactory.Org(ctx, t, pool, nil)
	b.orgB = testfactory.Org(ctx, t, pool, nil)
	b.viewerA = testfactory.Actor(testfactory.User(ctx, t, pool, b.orgA, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleViewer)}))
	return b
}

var serials atomic.Int64

// never is a device that has not informed.
const never = time.Duration(-1)

// device inserts a device of o (nil: pending) that last informed ago
// (never: not at all), and returns its id.
func (b *testBundle) device(t *testing.T, o *org.Org, firmware, model string, ago time.Duration) uuid.UUID {
	t.Helper()
	d := cpetest.Device{Serial: fmt.Sprintf("TEST%08X", serials.Add(1)), SoftwareVersion: firmware, ProductClass: model}
	if o != nil {
		d.OrgID = &o.ID
	}
	if ago != never {
		l := time.Now().Add(-ago)
		d.LastInformAt = &l
	}
	id, err := cpetest.Insert(context.Background(), b.pool, d)
	require.NoError(t, err)
	return id
}

// fault inserts a fault of o (nil: of no organization) raised at.
func (b *testBundle) fault(t *testing.T, o *org.Org, status string, raised time.Time) {
	t.Helper()
	var orgID *uuid.UUID
	if o != nil {
		orgID = &o.ID
	}
	n := serials.Add(1)
	_, err := b.pool.Exec(context.Background(), `INSERT INTO cpe_faults (genieacs_id, org_id, genieacs_device_id, channel, code, status, raised_at)
		VALUES ($1, $2, $3, 'default', 'cwmp.9002', $4, $5)`, fmt.Sprintf("dev-%d:default", n), orgID, fmt.Sprintf("dev-%d", n), status, raised)
	require.NoError(t, err)
}

func TestFleet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("CountsOneOrganization", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// acme: 3 online, 2 offline under an hour, 2 stale, 1 never seen.
		b.device(t, &b.orgA, "V2", "HG8245H", time.Minute)
		b.device(t, &b.orgA, "V2", "HG8245H", 9*time.Minute)
		b.device(t, &b.orgA, "V1", "F660", 2*time.Minute)
		b.device(t, &b.orgA, "V1", "HG8245H", 11*time.Minute)
		b.device(t, &b.orgA, "", "F660", 59*time.Minute)
		b.device(t, &b.orgA, "V2", "HG8245H", 61*time.Minute)
		b.device(t, &b.orgA, "", "", 30*24*time.Hour)
		b.device(t, &b.orgA, "V2", "F660", never)
		// Another organization's and pending devices count nowhere.
		b.device(t, &b.orgB, "V9", "OTHER", time.Minute)
		b.device(t, &b.orgB, "V2", "HG8245H", 2*time.Hour)
		b.device(t, nil, "V2", "HG8245H", time.Minute)

		f, err := b.svc.Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, 8, f.Total)
		require.Equal(t, 3, f.Online)
		require.Equal(t, 2, f.RecentlyOffline)
		require.Equal(t, 2, f.Stale)
		require.Equal(t, 1, f.NeverSeen)
		require.Equal(t, 5, f.Offline())
		require.Equal(t, []dashboard.Bucket{
			{Value: "V2", Count: 4, Online: 2},
			{Value: "", Count: 2, Online: 0},
			{Value: "V1", Count: 2, Online: 1},
		}, f.Firmware)
		require.Equal(t, map[string]int{"V2": 4, "V1": 2, "Unknown": 2}, f.FirmwareCounts())
		require.Equal(t, []dashboard.Bucket{
			{Value: "HG8245H", Count: 4, Online: 2},
			{Value: "F660", Count: 3, Online: 1},
			{Value: "", Count: 1, Online: 0},
		}, f.Models)
		require.WithinDuration(t, time.Now(), f.AsOf, time.Minute)
	})

	t.Run("AFirmwareNoDeviceRunsAnyMoreIsGone", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		id := b.device(t, &b.orgA, "V9", "F660", 3*24*time.Hour)
		// Its minute folded into its day; the upgrade then removes it from
		// the minute: the day's +1 and the minute's -1 cancel out.
		_, err := dashboard.Compact(ctx, b.pool, cpe.DefaultThresholds(), time.Now())
		require.NoError(t, err)
		require.NoError(t, cpetest.SetSoftwareVersion(ctx, b.pool, []uuid.UUID{id}, "V10"))
		f, err := dashboard.NewServiceTTL(b.pool, 0).Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, []dashboard.Bucket{{Value: "V10", Count: 1}}, f.Firmware)
		require.Equal(t, 1, f.Stale)
	})

	t.Run("CompactionOnlyWidens", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.device(t, &b.orgA, "V1", "F660", 3*time.Hour)
		b.device(t, &b.orgA, "V1", "F660", 20*time.Minute)
		at := time.Now().Add(-3 * time.Hour).Add(cpe.DefaultThresholds().Online) // the first device's online threshold
		want, err := dashboard.NewServiceTTL(b.pool, 0).WithClock(func() time.Time { return at }).Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		// Folded into a day by a compaction that ran late, then compacted
		// again as of now: the day stays a day (not narrowed to its first
		// hour), so the figures at any clock stay the same.
		_, err = dashboard.Compact(ctx, b.pool, cpe.DefaultThresholds(), time.Now().Add(40*24*time.Hour))
		require.NoError(t, err)
		_, err = dashboard.Compact(ctx, b.pool, cpe.DefaultThresholds(), time.Now())
		require.NoError(t, err)
		got, err := dashboard.NewServiceTTL(b.pool, 0).WithClock(func() time.Time { return at }).Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, []int{want.Online, want.RecentlyOffline, want.Stale}, []int{got.Online, got.RecentlyOffline, got.Stale})
		require.Equal(t, 2, got.Total)
	})

	t.Run("EmptyOrganization", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.device(t, &b.orgB, "V1", "F660", time.Minute)
		f, err := b.svc.Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Zero(t, f.Total)
		require.Empty(t, f.Firmware)
		require.Empty(t, f.FirmwareCounts())
		require.Len(t, f.FaultsByDay, dashboard.Days)
	})

	t.Run("FaultsPerDay", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		today := time.Now().UTC().Truncate(24 * time.Hour)
		// Today: one of each status.
		b.fault(t, &b.orgA, "active", today.Add(time.Minute))
		b.fault(t, &b.orgA, "resolved", today.Add(time.Minute))
		b.fault(t, &b.orgA, "cleared", today.Add(time.Minute))
		// Yesterday's last second and the first second of the window.
		b.fault(t, &b.orgA, "active", today.Add(-time.Second))
		first := today.AddDate(0, 0, -(dashboard.Days - 1))
		b.fault(t, &b.orgA, "resolved", first)
		// Outside the window, another organization's, and unmatched.
		b.fault(t, &b.orgA, "active", first.Add(-time.Second))
		b.fault(t, &b.orgB, "active", today.Add(time.Minute))
		b.fault(t, nil, "active", today.Add(time.Minute))

		f, err := b.svc.Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Len(t, f.FaultsByDay, dashboard.Days)
		want := make([]int, dashboard.Days)
		want[0], want[dashboard.Days-2], want[dashboard.Days-1] = 1, 1, 3
		got := make([]int, dashboard.Days)
		for i, d := range f.FaultsByDay {
			require.Equal(t, first.AddDate(0, 0, i), d.Day, "day %d", i)
			got[i] = d.Count
		}
		require.Equal(t, want, got)
	})

	t.Run("SummaryCarriesTheFleet", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.device(t, &b.orgA, "V1", "F660", time.Minute)
		b.fault(t, &b.orgA, "active", time.Now())
		s, err := b.svc.Summary(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, 1, s.Fleet.Total)
		require.Equal(t, 1, s.Fleet.Online)
		require.Equal(t, 1, s.Fleet.FaultsByDay[dashboard.Days-1].Count)
		require.Equal(t, 1, s.Users)
	})

	t.Run("ASnapshotForTheTTL", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.device(t, &b.orgA, "V1", "F660", time.Minute)
		first, err := b.svc.Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		b.device(t, &b.orgA, "V1", "F660", time.Minute)
		again, err := b.svc.Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, 1, again.Total, "within the TTL the figures are the snapshot")
		require.Equal(t, first.AsOf, again.AsOf)
		s, err := b.svc.Summary(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, 1, s.Fleet.Total, "the page shows the same snapshot")

		fresh, err := dashboard.NewServiceTTL(b.pool, 0).Fleet(ctx, b.viewerA)
		require.NoError(t, err)
		require.Equal(t, 2, fresh.Total)
	})

	t.Run("RefusesWithoutRead", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		noRole := b.viewerA
		noRole.Role = "root"
		_, err := b.svc.Fleet(ctx, noRole)
		require.ErrorIs(t, err, actor.ErrForbidden)
	})
}
