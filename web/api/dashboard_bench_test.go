package api_test

import (
	"context"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkDashboard measures the dashboard of an organization with
// 100,000 devices (and another with 20,000) as served: p50/p95 of the
// whole request (HTTP, key or session, figures, JSON or HTML), the fleet
// figures coming from the service's short cache as in production. The
// cost of computing them is BenchmarkFleet in internal/dashboard. Run with
// -benchtime=200x for stable percentiles.
func BenchmarkDashboard(b *testing.B) {
	bundle := webtest.Setup(b)
	ctx := context.Background()
	testfactory.Fleet(ctx, b, bundle.Pool, bundle.OrgA, 1, 100000)
	testfactory.Fleet(ctx, b, bundle.Pool, bundle.OrgB, 100001, 20000)
	testfactory.Faults(ctx, b, bundle.Pool, bundle.OrgA, 1, 4000)
	testfactory.Faults(ctx, b, bundle.Pool, bundle.OrgB, 4001, 1000)
	_, err := bundle.Pool.Exec(ctx, `VACUUM ANALYZE cpe_devices, cpe_faults`)
	require.NoError(b, err)
	br := bundle.LoggedIn(b, bundle.ViewerA)
	run := func(name string, call func(*testing.B)) {
		b.Run(name, func(b *testing.B) {
			var durs []time.Duration
			for b.Loop() {
				start := time.Now()
				call(b)
				durs = append(durs, time.Since(start))
			}
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(durs[len(durs)-1].Microseconds())/1000, "max-ms")
		})
	}
	run("API", func(b *testing.B) {
		r := bundle.API(b, http.MethodGet, "/cpe/dashboard", bundle.KeyA, "")
		if r.Status != http.StatusOK || r.Body["total"] != 100000.0 {
			b.Fatalf("status %d: %.200s", r.Status, r.Raw)
		}
	})
	run("Page", func(b *testing.B) {
		if p := br.Get("/"); p.Status != http.StatusOK || p.TestID("stat-total").Text() != "100,000" {
			b.Fatalf("status %d, total %q", p.Status, p.TestID("stat-total").Text())
		}
	})
}
