package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/devsync"
)

func TestSyncPageAndAPI(t *testing.T) {
	t.Parallel()
	b := setupWithSim(t, 6)
	ctx := context.Background()
	s := devsync.NewService(b.pool, b.acs, nil, nil)
	run, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Equal(t, 6, run.Created)

	t.Run("PageShowsRunsToAdmins", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		p := br.get("/admin/sync")
		require.Equal(t, http.StatusOK, p.status)
		row := p.testid("sync-run-full")
		require.Equal(t, 1, row.Length())
		require.Contains(t, row.Text(), "done")
		require.Equal(t, 1, p.testid("sync-full").Length())

		p = br.post("/admin/sync", map[string][]string{"kind": {"full"}})
		require.Equal(t, http.StatusSeeOther, p.status)
		var queued int
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'cpe_sync'`).Scan(&queued))
		require.Equal(t, 1, queued)
	})
	t.Run("ViewersAndTechniciansMayNot", func(t *testing.T) {
		for _, u := range []string{"viewer", "tech"} {
			usr := b.viewerA
			if u == "tech" {
				usr = b.techA
			}
			br := b.loggedIn(t, usr)
			require.Equal(t, http.StatusForbidden, br.get("/admin/sync").status, u)
		}
	})
	t.Run("API", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/sync/runs", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		items := r.body["items"].([]any)
		require.NotEmpty(t, items)
		first := items[len(items)-1].(map[string]any)
		require.Equal(t, "full", first["kind"])
		require.EqualValues(t, 6, first["created"])
		require.Equal(t, http.StatusForbidden, b.api(t, http.MethodGet, "/cpe/sync/runs", b.keyViewerA, "").status)
	})
	t.Run("OnlyTheOperatorOrganization", func(t *testing.T) {
		// orgB is a tenant: a pass, GenieACS and the job queue span every
		// organization, so its admin sees none of them.
		r := b.api(t, http.MethodGet, "/cpe/sync/runs", b.keyB, "")
		require.Equal(t, http.StatusForbidden, r.status)
		require.Contains(t, r.raw, "OPERATOR_ORG")
		br := b.loggedIn(t, b.adminB)
		for _, path := range []string{"/admin/sync", "/admin/system", "/admin/jobs/", "/admin/jobs/api/jobs?state=available"} {
			require.Equal(t, http.StatusForbidden, br.get(path).status, path)
		}
		require.Equal(t, http.StatusForbidden, br.post("/admin/sync", map[string][]string{"kind": {"full"}}).status)
		require.Equal(t, http.StatusForbidden, br.post("/admin/system/bootstrap", nil).status)
		home := br.get("/")
		require.NotContains(t, home.body, `href="/admin/jobs"`, "no links to them either")
		require.NotContains(t, home.body, `href="/admin/system"`)
		require.Contains(t, home.body, `href="/settings/webhooks"`, "the rest of an admin's menu is there")

		a := b.loggedIn(t, b.adminA).get("/")
		require.Contains(t, a.body, `href="/admin/jobs"`)
		require.Contains(t, a.body, `href="/admin/system"`)
	})
}
