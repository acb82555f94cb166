package dashboard_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// BenchmarkFleet measures computing the fleet figures of an organization
// with 100,000 devices (another holds 20,000), without the cache: the sums
// of cpe_fleet_counts, the exact count of the minutes the thresholds fall
// in, and the faults per day. AsWritten is the counts as the triggers
// appended them while the devices were inserted; Compacted after
// dashboard.Compact (the sync runs it after every pass); AfterSyncPass
// after an update of every last inform, as a sync pass makes, before and
// after its compaction. Run with -benchtime=100x for stable percentiles.
func BenchmarkFleet(b *testing.B) {
	ctx := context.Background()
	pool := dbtest.NewDB(b)
	orgA := testfactory.Org(ctx, b, pool, nil)
	orgB := testfactory.Org(ctx, b, pool, nil)
	testfactory.Fleet(ctx, b, pool, orgA, 1, 100000)
	testfactory.Fleet(ctx, b, pool, orgB, 100001, 20000)
	testfactory.Faults(ctx, b, pool, orgA, 1, 4000)
	testfactory.Faults(ctx, b, pool, orgB, 4001, 1000)
	_, err := pool.Exec(ctx, `VACUUM ANALYZE cpe_devices, cpe_faults`)
	require.NoError(b, err)
	viewer := testfactory.Actor(testfactory.User(ctx, b, pool, orgA, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleViewer)}))
	svc := dashboard.NewServiceTTL(pool, 0)

	run := func(name string) {
		b.Run(name, func(b *testing.B) {
			var durs []time.Duration
			for b.Loop() {
				start := time.Now()
				f, err := svc.Fleet(ctx, viewer)
				durs = append(durs, time.Since(start))
				if err != nil || f.Total != 100000 {
					b.Fatalf("total %d: %v", f.Total, err)
				}
			}
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
			var rows int
			require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM cpe_fleet_counts WHERE org_id = $1`, orgA.ID).Scan(&rows))
			b.ReportMetric(float64(rows), "count-rows")
		})
	}
	compact := func() {
		_, err := dashboard.Compact(ctx, pool, cpe.DefaultThresholds(), time.Now())
		require.NoError(b, err)
	}
	run("AsWritten")
	compact()
	run("Compacted")
	all, err := cpetest.All(ctx, pool)
	require.NoError(b, err)
	var informed []uuid.UUID // orgA's devices: one statement moves every last inform, as a sync pass does
	for _, d := range all {
		if d.OrgID != nil && *d.OrgID == orgA.ID {
			informed = append(informed, d.ID)
		}
	}
	require.NoError(b, cpetest.ShiftLastInform(ctx, pool, informed, time.Second))
	run("AfterSyncPass/BeforeCompaction")
	compact()
	run("AfterSyncPass")
}
