package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
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
	b := webtest.Setup(t)
	owner := b.LoggedIn(t, b.OwnerA)

	p := owner.Get("/admin/jobs/")
	require.Equal(t, http.StatusOK, p.Status)
	requireSecurityHeaders(t, p.Header, "River UI")
	p = owner.Get("/admin/jobs/api/jobs?state=available")
	require.Equal(t, http.StatusOK, p.Status)
	requireSecurityHeaders(t, p.Header, "River UI API")

	p = owner.Get("/")
	require.Equal(t, http.StatusOK, p.Status)
	requireSecurityHeaders(t, p.Header, "page")
	require.Contains(t, p.Header.Get("Content-Security-Policy"), "script-src 'self'")

	for _, path := range []string{"/no-such-page", "/static/no-such-file.css"} {
		p = owner.Get(path)
		require.Equal(t, http.StatusNotFound, p.Status, path)
		requireSecurityHeaders(t, p.Header, path)
	}
	p = b.Browser(t).Get("/no-such-page")
	require.Equal(t, http.StatusSeeOther, p.Status, "visitors are sent to sign in first")
	requireSecurityHeaders(t, p.Header, "redirect")

	p = b.LoggedIn(t, b.TechA).Get("/admin/jobs/")
	require.Equal(t, http.StatusForbidden, p.Status)
	requireSecurityHeaders(t, p.Header, "River UI refused")

	r := b.API(t, http.MethodGet, "/cpe/me", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	requireSecurityHeaders(t, r.Header, "API")
	r = b.API(t, http.MethodGet, "/cpe/no-such-route", b.KeyA, "")
	require.Equal(t, http.StatusNotFound, r.Status)
	requireSecurityHeaders(t, r.Header, "API 404")
	r = b.API(t, http.MethodGet, "/cpe/me", "", "")
	require.Equal(t, http.StatusUnauthorized, r.Status)
	requireSecurityHeaders(t, r.Header, "API 401")

	resp, err := http.Get(b.Srv.URL + "/static/app.css")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css"))
	requireSecurityHeaders(t, resp.Header, "static file")
}

func TestSecureCookiesBehindHTTPS(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWith(t, "https://cpe.example.net")
	br := b.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, b.Srv.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https") // as the TLS-terminating proxy sends it
	p := br.Do(req)
	require.Contains(t, p.Header.Get("Set-Cookie"), "Secure", "CSRF cookie")
	require.Contains(t, p.Header.Get("Strict-Transport-Security"), "max-age=")
	p = br.Post("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	found := false
	for _, c := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-fyberpay_session=") {
			found = true
			require.Contains(t, c, "; Secure")
			require.Contains(t, c, "HttpOnly")
		}
	}
	require.True(t, found)
}

// TestSecretsNeverLogged drives the flows that handle secrets and checks
// none appears in the logs.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.Browser(t)
	br.Login(b.AdminA.Email, "a-wrong-password-123")
	br.Login(b.AdminA.Email, testfactory.Password)
	r := b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyA, `{"name":"logged?"}`)
	newKey := r.Body["key"].(string)
	r = b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://x.example/h","topics":["cpe.claimed"]}`)
	hookSecret := r.Body["secret"].(string)
	b.API(t, http.MethodPost, "/cpe/users", b.KeyA, `{"email":"pw@acme.example","role":"viewer","password":"user-pass-in-body"}`)
	b.API(t, http.MethodGet, "/cpe/me", "fpk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "")

	logs := b.Logs.String()
	require.Contains(t, logs, `"path":"/cpe/api-keys"`, "requests are logged")
	require.Contains(t, logs, `"org_id":"`+b.OrgA.ID.String()+`"`)
	for _, s := range []string{testfactory.Password, "a-wrong-password-123", b.KeyA, newKey, hookSecret, "user-pass-in-body", "bbbbbbbbbbbbbbbb"} {
		require.NotContains(t, logs, s)
	}
}
