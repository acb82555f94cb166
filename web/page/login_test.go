package page_test

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

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.Browser(t)

	p := br.Get("/")
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, "/login", p.Header.Get("Location"))

	p = br.Get("/users")
	require.Equal(t, "/login?next=%2Fusers", p.Header.Get("Location"), "deep links come back after login")

	t.Run("WrongPasswordRefused", func(t *testing.T) {
		p := br.Login(b.AdminA.Email, "not-the-password")
		require.Equal(t, http.StatusUnauthorized, p.Status)
		require.Contains(t, p.TestID("error").Text(), "Wrong e-mail or password")
		require.Equal(t, b.AdminA.Email, p.TestID("login-email").AttrOr("value", ""), "the e-mail is kept")
		require.Zero(t, p.TestID("login-password").AttrOr("value", ""), "the password is not echoed")
	})
	t.Run("ControlCharacterInEmailIsAnOrdinaryFailure", func(t *testing.T) {
		// The penetration test's e-mail=a%00%40x.test: a NUL, then "@x.test".
		before := b.Count(t, `SELECT COALESCE(sum(failures), 0) FROM login_failures`)
		p := br.In(t).Login("a\x00@x.test", "whatever-password")
		require.Equal(t, http.StatusUnauthorized, p.Status, p.Body)
		require.Contains(t, p.TestID("error").Text(), "Wrong e-mail or password")
		require.Greater(t, b.Count(t, `SELECT COALESCE(sum(failures), 0) FROM login_failures`), before, "counted like any failure")
	})
	t.Run("MissingFields", func(t *testing.T) {
		br.Get("/login")
		p := br.Post("/login", url.Values{"email": {""}, "password": {""}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is required", p.TestID("error-email").Text())
		require.Equal(t, "is required", p.TestID("error-password").Text())
	})

	p = br.Login(b.AdminA.Email, testfactory.Password)
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, "/", p.Header.Get("Location"))
	var sessionCookie *http.Cookie
	for _, c := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "fyberpay_session=") {
			require.Contains(t, c, "HttpOnly")
			require.Contains(t, c, "SameSite=Lax")
			require.NotContains(t, c, "Secure", "plain-http PUBLIC_URL: no Secure flag")
			sessionCookie, _ = http.ParseSetCookie(c)
		}
	}
	require.NotNil(t, sessionCookie)

	p = br.Get("/")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, b.AdminA.Email, p.TestID("whoami").Text())
	require.Equal(t, "Acme Fibre", p.TestID("org-name").Text())
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))

	p = br.Post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, "/login", p.Header.Get("Location"))
	var logouts int
	require.NoError(t, b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'user.logout' AND actor_label = $1`, b.AdminA.Email).Scan(&logouts))
	require.Equal(t, 1, logouts, "logout is audited")
	require.Equal(t, http.StatusSeeOther, br.Get("/").Status)

	// Replaying the old cookie after logout does not work: the row is gone.
	replay := b.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, b.Srv.URL+"/", nil)
	req.AddCookie(sessionCookie)
	require.Equal(t, http.StatusSeeOther, replay.Do(req).Status)
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.Browser(t)
	for range 5 {
		require.Equal(t, http.StatusUnauthorized, br.Login(b.TechA.Email, "wrong-password").Status)
	}
	p := br.Login(b.TechA.Email, testfactory.Password)
	require.Equal(t, http.StatusTooManyRequests, p.Status)
	require.NotEmpty(t, p.Header.Get("Retry-After"))
	require.Contains(t, p.TestID("error").Text(), "too many failed logins")
}

// TestLoginOpenRedirect: the pen test's "/%09/evil.example" (a tab that
// browsers strip into "//evil.example") and its relatives send the user
// home after sign-in; a same-site deep link still comes back.
func TestLoginOpenRedirect(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	for _, tc := range []struct{ name, query, want string }{
		{"Tab", "/%09/evil.example", "/"},
		{"EncodedTab", "/%2509/evil.example", "/"},
		{"Newline", "/%0A/evil.example", "/"},
		{"Backslash", "/%5C/evil.example", "/"},
		{"FullwidthSolidus", "/%EF%BC%8F/evil.example", "/"},
		{"SameSite", "/devices%3Fstatus%3Donline", "/devices?status=online"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := b.Browser(t)
			p := br.Get("/login?next=" + tc.query)
			require.Equal(t, http.StatusOK, p.Status)
			require.Equal(t, tc.want, p.Doc.Find(`input[name="next"]`).AttrOr("value", ""), "the form carries only a safe target")
			raw, err := url.QueryUnescape(tc.query)
			require.NoError(t, err)
			p = br.Post("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}, "next": {raw}})
			require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
			require.Equal(t, tc.want, p.Header.Get("Location"))
		})
	}
}
