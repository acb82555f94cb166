package page_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAuditPage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	// 120 rows for acme, in the past week, plus one for beta.
	_, err := b.Pool.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_label, action, summary, created_at)
		SELECT $1, 'user', CASE WHEN i % 2 = 0 THEN 'even@acme.example' ELSE 'odd@acme.example' END,
			CASE WHEN i % 3 = 0 THEN 'webhook.test' ELSE 'device.reboot' END, 'row ' || i, now() - make_interval(hours => i)
		FROM generate_series(1, 120) i`, b.OrgA.ID)
	require.NoError(t, err)
	_, err = b.Pool.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_label, action, summary) VALUES ($1, 'user', 'spy@beta.example', 'device.reboot', 'beta secret row')`, b.OrgB.ID)
	require.NoError(t, err)

	br := b.LoggedIn(t, b.ViewerA) // viewers may read the audit log
	p := br.Get("/audit")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 50, p.TestID("audit-row").Length())
	require.NotContains(t, p.Body, "beta secret row")

	// Page through everything with the keyset cursor.
	seen := p.TestID("audit-row").Length()
	next, ok := p.TestID("audit-next").Attr("href")
	for ok {
		p = br.Get(next)
		require.Equal(t, http.StatusOK, p.Status)
		seen += p.TestID("audit-row").Length()
		next, ok = p.TestID("audit-next").Attr("href")
	}
	var total int
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1`, b.OrgA.ID).Scan(&total))
	require.Equal(t, total, seen, "every acme row exactly once across pages")

	p = br.Get("/audit?" + url.Values{"actor": {"even@acme.example"}, "action": {"webhook.test"}}.Encode())
	require.Equal(t, 20, p.TestID("audit-row").Length(), "i even and divisible by 3: 6, 12, ..., 120")
	p.TestID("audit-row").Each(func(_ int, s *goquery.Selection) { require.Equal(t, "webhook.test", s.AttrOr("data-action", "")) })

	today := time.Now().UTC().Format("2006-01-02")
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	p = br.Get("/audit?" + url.Values{"from": {yesterday}, "to": {today}, "action": {"device.reboot"}}.Encode())
	require.Equal(t, http.StatusOK, p.Status)
	var want int
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'device.reboot'
		AND created_at >= $2::date AND created_at < $3::date + 1`, b.OrgA.ID, yesterday, today).Scan(&want))
	require.Equal(t, min(want, 50), p.TestID("audit-row").Length())

	p = br.Get("/audit?from=last-tuesday")
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-from").Text())

	t.Run("API", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/audit?limit=5&action=webhook.test", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Len(t, r.Items(), 5)
		next, _ := r.Body["next"].(string)
		require.NotEmpty(t, next)
		last := r.Items()[4].(map[string]any)
		r2 := b.API(t, http.MethodGet, "/cpe/audit?limit=5&action=webhook.test&before="+url.QueryEscape(next), b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r2.Status)
		first := r2.Items()[0].(map[string]any)
		require.NotEqual(t, last["id"], first["id"], "the next page starts after the cursor")
		require.LessOrEqual(t, first["createdAt"].(string), last["createdAt"].(string))

		r = b.API(t, http.MethodGet, "/cpe/audit?limit=5000", b.KeyViewerA, "")
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		require.Contains(t, r.ErrFields(), "limit")

		var betaID int64
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT id FROM audit_log WHERE org_id = $1 LIMIT 1`, b.OrgB.ID).Scan(&betaID))
		r = b.API(t, http.MethodGet, fmt.Sprintf("/cpe/audit/%d", betaID), b.KeyA, "")
		require.Equal(t, http.StatusNotFound, r.Status)
		require.Equal(t, "not_found", r.ErrCode())
		r = b.API(t, http.MethodGet, fmt.Sprintf("/cpe/audit/%d", betaID), b.KeyB, "")
		require.Equal(t, http.StatusOK, r.Status)
	})
}
