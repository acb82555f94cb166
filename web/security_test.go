package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireSecurityHeaders asserts the headers every response carries.
func requireSecurityHeaders(t *testing.T, h http.Header, what string) {
	t.Helper()
	require.Equal(t, "DENY", h.Get("X-Frame-Options"), what)
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), what)
	require.Equal(t, "same-origin", h.Get("Referrer-Policy"), what)
	require.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'", what)
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.loggedIn(t, b.ownerA)

	p := owner.get("/admin/jobs/")
	require.Equal(t, http.StatusOK, p.status)
	requireSecurityHeaders(t, p.header, "River UI")
	p = owner.get("/admin/jobs/api/jobs?state=available")
	require.Equal(t, http.StatusOK, p.status)
	requireSecurityHeaders(t, p.header, "River UI API")

	p = owner.get("/")
	require.Equal(t, http.StatusOK, p.status)
	requireSecurityHeaders(t, p.header, "page")
	require.Contains(t, p.header.Get("Content-Security-Policy"), "script-src 'self'")

	for _, path := range []string{"/no-such-page", "/static/no-such-file.css"} {
		p = owner.get(path)
		require.Equal(t, http.StatusNotFound, p.status, path)
		requireSecurityHeaders(t, p.header, path)
	}
	p = b.browser(t).get("/no-such-page")
	require.Equal(t, http.StatusSeeOther, p.status, "visitors are sent to sign in first")
	requireSecurityHeaders(t, p.header, "redirect")

	p = b.loggedIn(t, b.techA).get("/admin/jobs/")
	require.Equal(t, http.StatusForbidden, p.status)
	requireSecurityHeaders(t, p.header, "River UI refused")

	r := b.api(t, http.MethodGet, "/cpe/me", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	requireSecurityHeaders(t, r.header, "API")
	r = b.api(t, http.MethodGet, "/cpe/no-such-route", b.keyA, "")
	require.Equal(t, http.StatusNotFound, r.status)
	requireSecurityHeaders(t, r.header, "API 404")
	r = b.api(t, http.MethodGet, "/cpe/me", "", "")
	require.Equal(t, http.StatusUnauthorized, r.status)
	requireSecurityHeaders(t, r.header, "API 401")

	resp, err := http.Get(b.srv.URL + "/static/app.css")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css"))
	requireSecurityHeaders(t, resp.Header, "static file")
}
