package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodGet, "/readyz", "", "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "ok", r.body["database"])
	resp, err := http.Get(b.srv.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser(t)

	p := br.get("/")
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, "/login", p.header.Get("Location"))

	p = br.get("/users")
	require.Equal(t, "/login?next=%2Fusers", p.header.Get("Location"), "deep links come back after login")

	t.Run("WrongPasswordRefused", func(t *testing.T) {
		p := br.login(b.adminA.Email, "not-the-password")
		require.Equal(t, http.StatusUnauthorized, p.status)
		require.Contains(t, p.testid("error").Text(), "Wrong e-mail or password")
		require.Equal(t, b.adminA.Email, p.testid("login-email").AttrOr("value", ""), "the e-mail is kept")
		require.Zero(t, p.testid("login-password").AttrOr("value", ""), "the password is not echoed")
	})
	t.Run("MissingFields", func(t *testing.T) {
		br.get("/login")
		p := br.post("/login", url.Values{"email": {""}, "password": {""}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is required", p.testid("error-email").Text())
		require.Equal(t, "is required", p.testid("error-password").Text())
	})

	p = br.login(b.adminA.Email, testfactory.Password)
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, "/", p.header.Get("Location"))
	var sessionCookie *http.Cookie
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "fyberpay_session=") {
			require.Contains(t, c, "HttpOnly")
			require.Contains(t, c, "SameSite=Lax")
			require.NotContains(t, c, "Secure", "plain-http PUBLIC_URL: no Secure flag")
			sessionCookie, _ = http.ParseSetCookie(c)
		}
	}
	require.NotNil(t, sessionCookie)

	p = br.get("/")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, b.adminA.Email, p.testid("whoami").Text())
	require.Equal(t, "Acme Fibre", p.testid("org-name").Text())
	require.Equal(t, "no-store", p.header.Get("Cache-Control"))

	p = br.post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, "/login", p.header.Get("Location"))
	var logouts int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'user.logout' AND actor_label = $1`, b.adminA.Email).Scan(&logouts))
	require.Equal(t, 1, logouts, "logout is audited")
	require.Equal(t, http.StatusSeeOther, br.get("/").status)

	// Replaying the old cookie after logout does not work: the row is gone.
	replay := b.browser(t)
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/", nil)
	req.AddCookie(sessionCookie)
	require.Equal(t, http.StatusSeeOther, replay.do(req).status)
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser(t)
	for range 5 {
		require.Equal(t, http.StatusUnauthorized, br.login(b.techA.Email, "wrong-password").status)
	}
	p := br.login(b.techA.Email, testfactory.Password)
	require.Equal(t, http.StatusTooManyRequests, p.status)
	require.NotEmpty(t, p.header.Get("Retry-After"))
	require.Contains(t, p.testid("error").Text(), "too many failed logins")
}

// TestLoginOpenRedirect: the pen test's "/%09/evil.example" (a tab that
// browsers strip into "//evil.example") and its relatives send the user
// home after sign-in; a same-site deep link still comes back.
func TestLoginOpenRedirect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct{ name, query, want string }{
		{"Tab", "/%09/evil.example", "/"},
		{"EncodedTab", "/%2509/evil.example", "/"},
		{"Newline", "/%0A/evil.example", "/"},
		{"Backslash", "/%5C/evil.example", "/"},
		{"FullwidthSolidus", "/%EF%BC%8F/evil.example", "/"},
		{"SameSite", "/devices%3Fstatus%3Donline", "/devices?status=online"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := b.browser(t)
			p := br.get("/login?next=" + tc.query)
			require.Equal(t, http.StatusOK, p.status)
			require.Equal(t, tc.want, p.doc.Find(`input[name="next"]`).AttrOr("value", ""), "the form carries only a safe target")
			raw, err := url.QueryUnescape(tc.query)
			require.NoError(t, err)
			p = br.post("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}, "next": {raw}})
			require.Equal(t, http.StatusSeeOther, p.status, p.body)
			require.Equal(t, tc.want, p.header.Get("Location"))
		})
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	t.Run("LoginWithoutToken", func(t *testing.T) {
		br := b.browser(t)
		p := br.postRaw("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}}, nil)
		require.Equal(t, http.StatusForbidden, p.status)
	})
	t.Run("SignedInPostWithoutOrWithWrongToken", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		form := url.Values{"email": {"new@acme.example"}, "role": {"viewer"}, "password": {"long-enough-1"}}
		require.Equal(t, http.StatusForbidden, br.postRaw("/users", form, nil).status)
		form.Set("_csrf", "forged-token")
		require.Equal(t, http.StatusForbidden, br.postRaw("/users", form, nil).status)
		var n int
		require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'new@acme.example'`).Scan(&n))
		require.Zero(t, n, "nothing was written")
	})
	t.Run("CrossSiteBrowserPostBlocked", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		p := br.postRaw("/logout", url.Values{"_csrf": {br.csrf}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		require.Equal(t, http.StatusForbidden, p.status)
	})
}

func TestSecureCookiesBehindHTTPS(t *testing.T) {
	t.Parallel()
	b := setupWith(t, "https://cpe.example.net")
	br := b.browser(t)
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https") // as the TLS-terminating proxy sends it
	p := br.do(req)
	require.Contains(t, p.header.Get("Set-Cookie"), "Secure", "CSRF cookie")
	require.Contains(t, p.header.Get("Strict-Transport-Security"), "max-age=")
	p = br.post("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}})
	require.Equal(t, http.StatusSeeOther, p.status)
	found := false
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-fyberpay_session=") {
			found = true
			require.Contains(t, c, "; Secure")
			require.Contains(t, c, "HttpOnly")
		}
	}
	require.True(t, found)
}
