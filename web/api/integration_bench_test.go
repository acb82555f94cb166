package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkIntegrationReport measures GET /cpe/integration as served, on
// a database the size of a big installation's: 100,000 owned devices,
// 50,000 pending devices the sync found in GenieACS (1,000 of them never
// identified: the check's anti-join walks the pending index), a week of
// identify tallies (every minute, three outcomes). GenieACS is the
// simulator (its share is a handful of NBI calls). Run with
// -benchtime=50x for stable percentiles.
func BenchmarkIntegrationReport(b *testing.B) {
	bundle := webtest.SetupWithSim(b, 10)
	ctx := context.Background()
	testfactory.Fleet(ctx, b, bundle.Pool, bundle.OrgA, 1, 100000)
	pending := make([]cpetest.Device, 50000)
	for i := range pending {
		serial := fmt.Sprintf("5A544547%08X", i)
		pending[i] = cpetest.Device{Serial: serial, OUI: "344B50", ProductClass: "F660", GenieACSID: "344B50-F660-" + serial, DataModel: "TR-098"}
	}
	_, err := cpetest.InsertMany(ctx, bundle.Pool, pending)
	require.NoError(b, err)
	for _, q := range []string{
		`UPDATE cpe_devices SET created_at = now() - interval '1 hour' WHERE org_id IS NULL`,
		`INSERT INTO cpe_contacts (device_id, last_identified_at)
			SELECT id, now() - interval '1 hour' FROM cpe_devices WHERE org_id IS NULL ORDER BY id OFFSET 1000`,
		`INSERT INTO identify_calls (minute, outcome, calls, last_at)
			SELECT m, o, 1 + (extract(epoch FROM m)::bigint % 7), m + interval '30 seconds'
			FROM generate_series(date_trunc('minute', now()) - interval '7 days', date_trunc('minute', now()), interval '1 minute') AS m,
				unnest(ARRAY['assigned', 'pending', 'wrong_key']) AS o`,
		`VACUUM ANALYZE cpe_devices, cpe_contacts, identify_calls`,
	} {
		_, err := bundle.Pool.Exec(ctx, q)
		require.NoError(b, err)
	}
	var durs []time.Duration
	for b.Loop() {
		start := time.Now()
		r := bundle.API(b, http.MethodGet, "/cpe/integration", bundle.KeyA, "")
		durs = append(durs, time.Since(start))
		var rep integration.Report
		if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Raw), &rep) != nil || len(rep.Unidentified) != integration.MaxUnidentified {
			b.Fatalf("status %d: %.300s", r.Status, r.Raw)
		}
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(durs[len(durs)-1].Microseconds())/1000, "max-ms")
}
