package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkAuditList pages the audit log of an organization holding 600,000
// of 1,000,000 rows: the first page, a filtered page and a page deep in the
// log through the keyset cursor (no OFFSET).
func BenchmarkAuditList(b *testing.B) {
	bundle := webtest.Setup(b)
	ctx := context.Background()
	seed := time.Now()
	_, err := bundle.Pool.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_label, action, target_type, target_id, summary, created_at)
		SELECT CASE WHEN i % 5 < 3 THEN $1::uuid ELSE $2::uuid END, 'user',
			'staff' || (i % 40) || '@acme.example',
			(ARRAY['device.reboot','device.wifi','subscriber.assign','user.login','webhook.test','firmware.deploy'])[1 + i % 6],
			'device', 'dev-' || (i % 100000), 'summary ' || i, now() - make_interval(secs => 1000000 - i)
		FROM generate_series(1, 1000000) i`, bundle.OrgA.ID, bundle.OrgB.ID)
	require.NoError(b, err)
	_, err = bundle.Pool.Exec(ctx, `VACUUM ANALYZE audit_log`)
	require.NoError(b, err)
	b.Logf("seeded 1,000,000 audit rows in %s", time.Since(seed).Round(time.Millisecond))

	var mid audit.Cursor
	require.NoError(b, bundle.Pool.QueryRow(ctx, `SELECT created_at, id FROM audit_log WHERE org_id = $1 ORDER BY created_at, id LIMIT 1 OFFSET 300000`,
		bundle.OrgA.ID).Scan(&mid.At, &mid.ID))
	for _, bc := range []struct{ name, query string }{
		{"FirstPage", "limit=50"},
		{"ByAction", "limit=50&action=firmware.deploy"},
		{"ByActor", "limit=50&actor=staff7%40acme.example"},
		{"DeepCursor", "limit=50&before=" + mid.String()},
		{"DateRange", "limit=50&" + url.Values{"from": {time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)}}.Encode()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := bundle.API(b, http.MethodGet, "/cpe/audit?"+bc.query, bundle.KeyA, "")
				if r.Status != http.StatusOK || len(r.Items()) != 50 {
					b.Fatalf("status %d items %d: %s", r.Status, len(r.Items()), r.Raw[:min(200, len(r.Raw))])
				}
			}
		})
	}
	b.Run("Actions", func(b *testing.B) {
		br := bundle.LoggedIn(b, bundle.AdminA)
		for b.Loop() {
			p := br.Get("/audit")
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "firmware.deploy") {
				b.Fatalf("status %d", p.Status)
			}
		}
	})
}
