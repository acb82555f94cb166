package page_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestSyncPageAndAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	ctx := context.Background()
	s := devsync.NewService(b.Pool, b.ACS, nil, nil)
	run, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Equal(t, 6, run.Created)

	t.Run("PageShowsRunsToAdmins", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		p := br.Get("/admin/sync")
		require.Equal(t, http.StatusOK, p.Status)
		row := p.TestID("sync-run-full")
		require.Equal(t, 1, row.Length())
		require.Contains(t, row.Text(), "done")
		require.Equal(t, 1, p.TestID("sync-full").Length())

		p = br.Post("/admin/sync", map[string][]string{"kind": {"full"}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		var queued int
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'cpe_sync'`).Scan(&queued))
		require.Equal(t, 1, queued)
	})
	t.Run("ViewersAndTechniciansMayNot", func(t *testing.T) {
		for _, u := range []string{"viewer", "tech"} {
			usr := b.ViewerA
			if u == "tech" {
				usr = b.TechA
			}
			br := b.LoggedIn(t, usr)
			require.Equal(t, http.StatusForbidden, br.Get("/admin/sync").Status, u)
		}
	})
	t.Run("API", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/sync/runs", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		items := r.Body["items"].([]any)
		require.NotEmpty(t, items)
		first := items[len(items)-1].(map[string]any)
		require.Equal(t, "full", first["kind"])
		require.EqualValues(t, 6, first["created"])
		require.Equal(t, http.StatusForbidden, b.API(t, http.MethodGet, "/cpe/sync/runs", b.KeyViewerA, "").Status)
	})
	t.Run("OnlyTheOperatorOrganization", func(t *testing.T) {
		// orgB is a tenant: a pass, GenieACS and the job queue span every
		// organization, so its admin sees none of them.
		r := b.API(t, http.MethodGet, "/cpe/sync/runs", b.KeyB, "")
		require.Equal(t, http.StatusForbidden, r.Status)
		require.Contains(t, r.Raw, "OPERATOR_ORG")
		br := b.LoggedIn(t, b.AdminB)
		for _, path := range []string{"/admin/sync", "/admin/system", "/admin/jobs/", "/admin/jobs/api/jobs?state=available"} {
			require.Equal(t, http.StatusForbidden, br.Get(path).Status, path)
		}
		require.Equal(t, http.StatusForbidden, br.Post("/admin/sync", map[string][]string{"kind": {"full"}}).Status)
		require.Equal(t, http.StatusForbidden, br.Post("/admin/system/bootstrap", nil).Status)
		home := br.Get("/")
		require.NotContains(t, home.Body, `href="/admin/jobs"`, "no links to them either")
		require.NotContains(t, home.Body, `href="/admin/system"`)
		require.Contains(t, home.Body, `href="/settings/webhooks"`, "the rest of an admin's menu is there")

		a := b.LoggedIn(t, b.AdminA).Get("/")
		require.Contains(t, a.Body, `href="/admin/jobs"`)
		require.Contains(t, a.Body, `href="/admin/system"`)
	})
}
