package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodGet, "/readyz", "", "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "ok", r.Body["database"])
	resp, err := http.Get(b.Srv.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRiverUIAccess(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	require.Equal(t, http.StatusSeeOther, b.Browser(t).Get("/admin/jobs/").Status)
	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.TechA).Get("/admin/jobs/").Status)
	p := b.LoggedIn(t, b.AdminA).Get("/admin/jobs/")
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, strings.ToLower(p.Body), "<!doctype html>")
}
