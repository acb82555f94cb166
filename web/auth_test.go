package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
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

func TestCSRF(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	t.Run("LoginWithoutToken", func(t *testing.T) {
		br := b.Browser(t)
		p := br.PostRaw("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}}, nil)
		require.Equal(t, http.StatusForbidden, p.Status)
	})
	t.Run("SignedInPostWithoutOrWithWrongToken", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		form := url.Values{"email": {"new@acme.example"}, "role": {"viewer"}, "password": {"long-enough-1"}}
		require.Equal(t, http.StatusForbidden, br.PostRaw("/users", form, nil).Status)
		form.Set("_csrf", "forged-token")
		require.Equal(t, http.StatusForbidden, br.PostRaw("/users", form, nil).Status)
		var n int
		require.NoError(t, b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'new@acme.example'`).Scan(&n))
		require.Zero(t, n, "nothing was written")
	})
	t.Run("CrossSiteBrowserPostBlocked", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		p := br.PostRaw("/logout", url.Values{"_csrf": {br.CSRF}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		require.Equal(t, http.StatusForbidden, p.Status)
	})
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
