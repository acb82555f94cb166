package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

func TestAuditPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	// 120 rows for acme, in the past week, plus one for beta.
	_, err := b.pool.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_label, action, summary, created_at)
		SELECT $1, 'user', CASE WHEN i % 2 = 0 THEN 'even@acme.example' ELSE 'odd@acme.example' END,
			CASE WHEN i % 3 = 0 THEN 'webhook.test' ELSE 'device.reboot' END, 'row ' || i, now() - make_interval(hours => i)
		FROM generate_series(1, 120) i`, b.orgA.ID)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_label, action, summary) VALUES ($1, 'user', 'spy@beta.example', 'device.reboot', 'beta secret row')`, b.orgB.ID)
	require.NoError(t, err)

	br := b.loggedIn(t, b.viewerA) // viewers may read the audit log
	p := br.get("/audit")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, 50, p.testid("audit-row").Length())
	require.NotContains(t, p.body, "beta secret row")

	// Page through everything with the keyset cursor.
	seen := p.testid("audit-row").Length()
	next, ok := p.testid("audit-next").Attr("href")
	for ok {
		p = br.get(next)
		require.Equal(t, http.StatusOK, p.status)
		seen += p.testid("audit-row").Length()
		next, ok = p.testid("audit-next").Attr("href")
	}
	var total int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1`, b.orgA.ID).Scan(&total))
	require.Equal(t, total, seen, "every acme row exactly once across pages")

	p = br.get("/audit?" + url.Values{"actor": {"even@acme.example"}, "action": {"webhook.test"}}.Encode())
	require.Equal(t, 20, p.testid("audit-row").Length(), "i even and divisible by 3: 6, 12, ..., 120")
	p.testid("audit-row").Each(func(_ int, s *goquery.Selection) { require.Equal(t, "webhook.test", s.AttrOr("data-action", "")) })

	today := time.Now().UTC().Format("2006-01-02")
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	p = br.get("/audit?" + url.Values{"from": {yesterday}, "to": {today}, "action": {"device.reboot"}}.Encode())
	require.Equal(t, http.StatusOK, p.status)
	var want int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'device.reboot'
		AND created_at >= $2::date AND created_at < $3::date + 1`, b.orgA.ID, yesterday, today).Scan(&want))
	require.Equal(t, min(want, 50), p.testid("audit-row").Length())

	p = br.get("/audit?from=last-tuesday")
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.NotEmpty(t, p.testid("error-from").Text())

	t.Run("API", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/audit?limit=5&action=webhook.test", b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Len(t, r.items(), 5)
		next, _ := r.body["next"].(string)
		require.NotEmpty(t, next)
		last := r.items()[4].(map[string]any)
		r2 := b.api(t, http.MethodGet, "/cpe/audit?limit=5&action=webhook.test&before="+url.QueryEscape(next), b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r2.status)
		first := r2.items()[0].(map[string]any)
		require.NotEqual(t, last["id"], first["id"], "the next page starts after the cursor")
		require.LessOrEqual(t, first["createdAt"].(string), last["createdAt"].(string))

		r = b.api(t, http.MethodGet, "/cpe/audit?limit=5000", b.keyViewerA, "")
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		require.Contains(t, r.errFields(), "limit")

		var betaID int64
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT id FROM audit_log WHERE org_id = $1 LIMIT 1`, b.orgB.ID).Scan(&betaID))
		r = b.api(t, http.MethodGet, fmt.Sprintf("/cpe/audit/%d", betaID), b.keyA, "")
		require.Equal(t, http.StatusNotFound, r.status)
		require.Equal(t, "not_found", r.errCode())
		r = b.api(t, http.MethodGet, fmt.Sprintf("/cpe/audit/%d", betaID), b.keyB, "")
		require.Equal(t, http.StatusOK, r.status)
	})
}
