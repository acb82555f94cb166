package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
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
	b := setup(t)

	t.Run("TokenFromBeforeLoginRefusedAfter", func(t *testing.T) {
		t.Parallel()
		br := b.browser(t)
		br.get("/login")
		before := br.csrf
		require.NotEmpty(t, before)
		p := br.post("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}})
		require.Equal(t, http.StatusSeeOther, p.status)
		form := newUser("pre-login@acme.example")
		form.Set("_csrf", before)
		require.Equal(t, http.StatusForbidden, br.postRaw("/users", form, nil).status, "the sign-in form's token")
		p = br.postRaw("/users", newUser("pre-login@acme.example"), http.Header{"X-Csrf-Token": {before}})
		require.Equal(t, http.StatusForbidden, p.status, "nor in the header")
		p = br.postRaw("/users", newUser("pre-login@acme.example"), http.Header{"X-Csrf-Token": {before}, "Hx-Request": {"true"}})
		require.Contains(t, p.testid("error").Text(), "did not come from this site", "nor from htmx")

		br.get("/users")
		require.NotEqual(t, before, br.csrf, "a new token after sign-in")
		require.Equal(t, http.StatusSeeOther, br.post("/users", newUser("pre-login@acme.example")).status, "the session's token works")
	})
	t.Run("OtherSessionsTokenRefused", func(t *testing.T) {
		t.Parallel()
		a1, a2 := b.loggedIn(t, b.adminA), b.loggedIn(t, b.adminA) // the same user, two sessions
		require.NotEqual(t, a1.csrf, a2.csrf)
		form := newUser("cross-session@acme.example")
		form.Set("_csrf", a1.csrf)
		require.Equal(t, http.StatusForbidden, a2.postRaw("/users", form, nil).status, "session A's token in session B")
		other := b.loggedIn(t, b.ownerA)
		require.Equal(t, http.StatusForbidden, other.postRaw("/users", form, nil).status, "nor another user's session")
		require.Equal(t, http.StatusSeeOther, a1.postRaw("/users", form, nil).status, "in its own session it works")
	})
	t.Run("LogoutEndsTheToken", func(t *testing.T) {
		t.Parallel()
		br := b.loggedIn(t, b.techA)
		signedIn := br.csrf
		require.Equal(t, http.StatusSeeOther, br.post("/logout", nil).status)
		br.get("/login")
		require.NotEqual(t, signedIn, br.csrf, "the sign-in form has a new token")
		form := url.Values{"email": {b.techA.Email}, "password": {testfactory.Password}, "_csrf": {signedIn}}
		require.Equal(t, http.StatusForbidden, br.postRaw("/login", form, nil).status, "the old session's token is refused")
		require.Equal(t, http.StatusSeeOther, br.post("/login", url.Values{"email": {b.techA.Email}, "password": {testfactory.Password}}).status)
	})
	t.Run("SignInTokensDifferPerBrowser", func(t *testing.T) {
		t.Parallel()
		x, y := b.browser(t), b.browser(t)
		x.get("/login")
		y.get("/login")
		require.NotEqual(t, x.csrf, y.csrf)
		form := url.Values{"email": {b.viewerA.Email}, "password": {testfactory.Password}, "_csrf": {x.csrf}}
		require.Equal(t, http.StatusForbidden, y.postRaw("/login", form, nil).status)
	})
	t.Run("SameOriginHeaderIsNoToken", func(t *testing.T) {
		t.Parallel()
		br := b.loggedIn(t, b.adminA)
		p := br.postRaw("/users", newUser("fetch-meta@acme.example"), http.Header{"Sec-Fetch-Site": {"same-origin"}})
		require.Equal(t, http.StatusForbidden, p.status, "pages always need the token")
	})
}

// River's UI cannot carry our token: it is let through when the browser
// says the request is same-origin, and refused otherwise.
func TestRiverUICSRF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.loggedIn(t, b.ownerA)
	cancel := func(h http.Header) int {
		req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/admin/jobs/api/jobs/cancel", strings.NewReader(`{"ids":["1"]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := br.c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusForbidden, cancel(nil), "no token, no fetch metadata")
	require.Equal(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"cross-site"}}))
	require.Equal(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"same-site"}}))
	require.NotEqual(t, http.StatusForbidden, cancel(http.Header{"Sec-Fetch-Site": {"same-origin"}}))
	require.NotEqual(t, http.StatusForbidden, cancel(http.Header{"X-Csrf-Token": {br.csrf}}), "or with the session's token")
}

// Under https both cookies carry the __Host- prefix (Secure, Path=/, no
// Domain); over plain http they keep their plain names.
func TestCookieNamesFollowPublicURL(t *testing.T) {
	t.Parallel()
	cookies := func(p page) map[string]*http.Cookie {
		out := map[string]*http.Cookie{}
		for _, line := range p.header.Values("Set-Cookie") {
			c, err := http.ParseSetCookie(line)
			require.NoError(t, err)
			out[c.Name] = c
		}
		return out
	}
	t.Run("HTTPS", func(t *testing.T) {
		t.Parallel()
		b := setupWith(t, "https://cpe.example.net")
		br := b.browser(t)
		got := cookies(br.get("/login"))
		c := got["__Host-fyberpay_csrf"]
		require.NotNil(t, c, "%v", got)
		require.True(t, c.Secure)
		require.True(t, c.HttpOnly)
		require.Equal(t, "/", c.Path)
		require.Empty(t, c.Domain)
		p := br.post("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}})
		require.Equal(t, http.StatusSeeOther, p.status)
		got = cookies(p)
		s := got["__Host-fyberpay_session"]
		require.NotNil(t, s, "%v", got)
		require.True(t, s.Secure)
		require.True(t, s.HttpOnly)
		require.Equal(t, "/", s.Path)
		require.Empty(t, s.Domain)
		require.NotContains(t, got, "fyberpay_session")
		require.Equal(t, -1, got["__Host-fyberpay_csrf"].MaxAge, "the sign-in form's cookie ends at sign-in")
		p = br.get("/")
		require.Equal(t, http.StatusOK, p.status, "signed in through the prefixed cookie")
		require.Equal(t, b.adminA.Email, p.testid("whoami").Text())
		require.Equal(t, http.StatusSeeOther, br.post("/logout", nil).status)
	})
	t.Run("HTTP", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		br := b.browser(t)
		require.Contains(t, cookies(br.get("/login")), "fyberpay_csrf")
		got := cookies(br.post("/login", url.Values{"email": {b.adminA.Email}, "password": {testfactory.Password}}))
		require.Contains(t, got, "fyberpay_session")
		require.False(t, got["fyberpay_session"].Secure)
	})
}
