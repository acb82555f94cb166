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

// newUser is a form that creates a staff member (refused without the token).
func newUser(email string) url.Values {
	return url.Values{"email": {email}, "role": {"viewer"}, "password": {"long-enough-1"}}
}

// The CSRF token is bound to the session: the one of the sign-in form dies
// at sign-in, the session's dies at logout, and one session's token is
// refused in another.
func TestCSRFTokenBoundToSession(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)

	t.Run("TokenFromBeforeLoginRefusedAfter", func(t *testing.T) {
		t.Parallel()
		br := b.Browser(t)
		br.Get("/login")
		before := br.CSRF
		require.NotEmpty(t, before)
		p := br.Post("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		form := newUser("pre-login@acme.example")
		form.Set("_csrf", before)
		require.Equal(t, http.StatusForbidden, br.PostRaw("/users", form, nil).Status, "the sign-in form's token")
		p = br.PostRaw("/users", newUser("pre-login@acme.example"), http.Header{"X-Csrf-Token": {before}})
		require.Equal(t, http.StatusForbidden, p.Status, "nor in the header")
		p = br.PostRaw("/users", newUser("pre-login@acme.example"), http.Header{"X-Csrf-Token": {before}, "Hx-Request": {"true"}})
		require.Contains(t, p.TestID("error").Text(), "did not come from this site", "nor from htmx")

		br.Get("/users")
		require.NotEqual(t, before, br.CSRF, "a new token after sign-in")
		require.Equal(t, http.StatusSeeOther, br.Post("/users", newUser("pre-login@acme.example")).Status, "the session's token works")
	})
	t.Run("OtherSessionsTokenRefused", func(t *testing.T) {
		t.Parallel()
		a1, a2 := b.LoggedIn(t, b.AdminA), b.LoggedIn(t, b.AdminA) // the same user, two sessions
		require.NotEqual(t, a1.CSRF, a2.CSRF)
		form := newUser("cross-session@acme.example")
		form.Set("_csrf", a1.CSRF)
		require.Equal(t, http.StatusForbidden, a2.PostRaw("/users", form, nil).Status, "session A's token in session B")
		other := b.LoggedIn(t, b.OwnerA)
		require.Equal(t, http.StatusForbidden, other.PostRaw("/users", form, nil).Status, "nor another user's session")
		require.Equal(t, http.StatusSeeOther, a1.PostRaw("/users", form, nil).Status, "in its own session it works")
	})
	t.Run("LogoutEndsTheToken", func(t *testing.T) {
		t.Parallel()
		br := b.LoggedIn(t, b.TechA)
		signedIn := br.CSRF
		require.Equal(t, http.StatusSeeOther, br.Post("/logout", nil).Status)
		br.Get("/login")
		require.NotEqual(t, signedIn, br.CSRF, "the sign-in form has a new token")
		form := url.Values{"email": {b.TechA.Email}, "password": {testfactory.Password}, "_csrf": {signedIn}}
		require.Equal(t, http.StatusForbidden, br.PostRaw("/login", form, nil).Status, "the old session's token is refused")
		require.Equal(t, http.StatusSeeOther, br.Post("/login", url.Values{"email": {b.TechA.Email}, "password": {testfactory.Password}}).Status)
	})
	t.Run("SignInTokensDifferPerBrowser", func(t *testing.T) {
		t.Parallel()
		x, y := b.Browser(t), b.Browser(t)
		x.Get("/login")
		y.Get("/login")
		require.NotEqual(t, x.CSRF, y.CSRF)
		form := url.Values{"email": {b.ViewerA.Email}, "password": {testfactory.Password}, "_csrf": {x.CSRF}}
		require.Equal(t, http.StatusForbidden, y.PostRaw("/login", form, nil).Status)
	})
	t.Run("SameOriginHeaderIsNoToken", func(t *testing.T) {
		t.Parallel()
		br := b.LoggedIn(t, b.AdminA)
		p := br.PostRaw("/users", newUser("fetch-meta@acme.example"), http.Header{"Sec-Fetch-Site": {"same-origin"}})
		require.Equal(t, http.StatusForbidden, p.Status, "pages always need the token")
	})
}

// River's UI cannot carry our token: it is let through when the browser
// says the request is same-origin, and refused otherwise.
func TestRiverUICSRF(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.LoggedIn(t, b.OwnerA)
	cancel := func(h http.Header) int {
		req, err := http.NewRequest(http.MethodPost, b.Srv.URL+"/admin/jobs/api/jobs/cancel", strings.NewReader(`{"ids":["1"]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := br.Client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusForbidden, cancel(nil), "no token, no fetch metadata")
	require.Equal(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"cross-site"}}))
	require.Equal(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"same-site"}}))
	require.NotEqual(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"same-origin"}}))
	require.NotEqual(t, http.StatusForbidden, cancel(http.Header{"X-Csrf-Token": {br.CSRF}}), "or with the session's token")
}

// Under https both cookies carry the __Host- prefix (Secure, Path=/, no
// Domain); over plain http they keep their plain names.
func TestCookieNamesFollowPublicURL(t *testing.T) {
	t.Parallel()
	cookies := func(p webtest.Page) map[string]*http.Cookie {
		out := map[string]*http.Cookie{}
		for _, line := range p.Header.Values("Set-Cookie") {
			c, err := http.ParseSetCookie(line)
			require.NoError(t, err)
			out[c.Name] = c
		}
		return out
	}
	t.Run("HTTPS", func(t *testing.T) {
		t.Parallel()
		b := webtest.SetupWith(t, "https://cpe.example.net")
		br := b.Browser(t)
		got := cookies(br.Get("/login"))
		c := got["__Host-fyberpay_csrf"]
		require.NotNil(t, c, "%v", got)
		require.True(t, c.Secure)
		require.True(t, c.HttpOnly)
		require.Equal(t, "/", c.Path)
		require.Empty(t, c.Domain)
		p := br.Post("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		got = cookies(p)
		s := got["__Host-fyberpay_session"]
		require.NotNil(t, s, "%v", got)
		require.True(t, s.Secure)
		require.True(t, s.HttpOnly)
		require.Equal(t, "/", s.Path)
		require.Empty(t, s.Domain)
		require.NotContains(t, got, "fyberpay_session")
		require.Equal(t, -1, got["__Host-fyberpay_csrf"].MaxAge, "the sign-in form's cookie ends at sign-in")
		p = br.Get("/")
		require.Equal(t, http.StatusOK, p.Status, "signed in through the prefixed cookie")
		require.Equal(t, b.AdminA.Email, p.TestID("whoami").Text())
		require.Equal(t, http.StatusSeeOther, br.Post("/logout", nil).Status)
	})
	t.Run("HTTP", func(t *testing.T) {
		t.Parallel()
		b := webtest.Setup(t)
		br := b.Browser(t)
		require.Contains(t, cookies(br.Get("/login")), "fyberpay_csrf")
		got := cookies(br.Post("/login", url.Values{"email": {b.AdminA.Email}, "password": {testfactory.Password}}))
		require.Contains(t, got, "fyberpay_session")
		require.False(t, got["fyberpay_session"].Secure)
	})
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
