package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/web/webtest"
)

// seedFleet puts 100,000 devices across three organizations (acme holds
// 50,000), a third of acme's assigned to subscribers, informs spread over
// two hours, six models and five firmware versions.
func seedFleet(b testing.TB, bundle *webtest.Bundle) {
	ctx := context.Background()
	_, err := bundle.Pool.Exec(ctx, `INSERT INTO subscribers (org_id, username, name) SELECT $1, 'user' || i, 'User ' || i FROM generate_series(1, 20000) i`, bundle.OrgA.ID)
	require.NoError(b, err)
	orgC := seedOrg(b, bundle)
	subs := map[string]uuid.UUID{}
	rows, err := bundle.Pool.Query(ctx, `SELECT username, id FROM subscribers WHERE org_id = $1`, bundle.OrgA.ID)
	require.NoError(b, err)
	for rows.Next() {
		var name string
		var id uuid.UUID
		require.NoError(b, rows.Scan(&name, &id))
		subs[name] = id
	}
	require.NoError(b, rows.Err())
	models := []string{"HG8245H", "HG8546M", "F660", "F670L", "Archer AX10", "EG8145V5"}
	now := time.Now()
	fleet := make([]cpetest.Device, 0, 100000)
	for i := 1; i <= 100000; i++ {
		d := cpetest.Device{Serial: fmt.Sprintf("48575443%08X", i), OUI: "00259E", ProductClass: models[i%6],
			SoftwareVersion: fmt.Sprintf("V%d", i%5), DataModel: "TR-098", Tags: []string{"org:x"}, FirstContactAt: &now}
		last := now.Add(-time.Duration((i*7919)%7200) * time.Second)
		d.LastInformAt = &last
		switch {
		case i%2 == 0:
			d.OrgID = &bundle.OrgA.ID
			if i%3 == 0 {
				sub := subs[fmt.Sprintf("user%d", 1+i%20000)]
				d.SubscriberID = &sub
			}
		case i%4 == 1:
			d.OrgID = &bundle.OrgB.ID
		default:
			d.OrgID = &orgC
		}
		fleet = append(fleet, d)
	}
	_, err = cpetest.InsertMany(ctx, bundle.Pool, fleet)
	require.NoError(b, err)
	_, err = bundle.Pool.Exec(ctx, `ANALYZE`)
	require.NoError(b, err)
}

func seedOrg(b testing.TB, bundle *webtest.Bundle) uuid.UUID {
	var id uuid.UUID
	require.NoError(b, bundle.Pool.QueryRow(context.Background(), `INSERT INTO organizations (slug, name) VALUES ('gamma', 'Gamma') RETURNING id`).Scan(&id))
	return id
}

// BenchmarkDeviceList measures GET /cpe/devices at 10^5 devices (acme holds
// half): the first page, searches and filters, reporting p50/p95 of the
// whole request (HTTP, API key, query, JSON) over the run.
func BenchmarkDeviceList(b *testing.B) {
	bundle := webtest.Setup(b)
	seedFleet(b, bundle)
	for _, q := range []struct{ name, query string }{
		{"FirstPage", ""},
		{"SerialPrefix", "serial=HWTC0000A"},
		{"SerialHexPrefix", "serial=485754430000B"},
		{"SerialAnywhere", "serial=1A2B"},     // the last digits off a label: 12 of acme's devices
		{"SerialAnywhereShort", "serial=7F"},  // two characters: no trigram to use
		{"SerialAnywhereNone", "serial=ZZZ9"}, // nothing matches
		{"SubscriberPrefix", "subscriber=user12"},
		{"Model", "model=HG8245H"},
		{"ModelOfAnotherOrg", "model=F670L"}, // acme has none: must not walk the fleet
		{"Firmware", "firmware=V3"},
		{"Online", "status=online"},
		{"Stale", "status=stale"},
		{"ByLastInform", "sort=last_inform"},
		{"Tag", "tag=org:x"},
	} {
		b.Run(q.name, func(b *testing.B) {
			var durs []time.Duration
			for b.Loop() {
				start := time.Now()
				r := bundle.API(b, http.MethodGet, "/cpe/devices?limit=50&"+q.query, bundle.KeyA, "")
				durs = append(durs, time.Since(start))
				if r.Status != http.StatusOK {
					b.Fatalf("status %d: %s", r.Status, r.Raw)
				}
			}
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// BenchmarkImport10k is a 10,000-row CSV import through the API: preview
// (every row checked) and commit.
func BenchmarkImport10k(b *testing.B) {
	bundle := webtest.Setup(b)
	ctx := context.Background()
	_, err := bundle.Pool.Exec(ctx, `INSERT INTO subscribers (org_id, username) SELECT $1, 'user' || i FROM generate_series(1, 2000) i`, bundle.OrgA.ID)
	require.NoError(b, err)
	run := 0
	for b.Loop() {
		run++
		var sb strings.Builder
		sb.WriteString("serial,model,subscriber\n")
		for i := range 10000 {
			sub := ""
			if i%5 == 0 {
				sub = fmt.Sprintf("user%d", 1+i%2000)
			}
			fmt.Fprintf(&sb, "HWTC%02X%06X,HG8245H,%s\n", run, i, sub)
		}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, bundle.Srv.URL+"/cpe/devices/import?filename=bench.csv", strings.NewReader(sb.String()))
		req.Header.Set("Authorization", "Bearer "+bundle.KeyA)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		resp.Body.Close()
		require.Equal(b, http.StatusCreated, resp.StatusCode)
		preview := time.Since(start)
		var id string
		require.NoError(b, bundle.Pool.QueryRow(ctx, `SELECT id::text FROM cpe_imports ORDER BY created_at DESC LIMIT 1`).Scan(&id))
		r := bundle.API(b, http.MethodPost, "/cpe/imports/"+id+"/commit", bundle.KeyA, "")
		require.Equal(b, http.StatusOK, r.Status, r.Raw)
		require.EqualValues(b, 10000, r.Body["added"])
		b.ReportMetric(preview.Seconds(), "preview-s")
		b.ReportMetric(time.Since(start).Seconds(), "total-s")
	}
}
