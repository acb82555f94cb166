package middleware

import (
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/session"
)

// CSRFOptions tunes CSRF for a group of routes.
type CSRFOptions struct {
	// SameOriginFetch lets a state-changing request through without a token
	// when the browser vouches it came from our own origin
	// (Sec-Fetch-Site: same-origin). Only for River's UI, a single-page app
	// that cannot carry our token; our own pages always need it.
	SameOriginFetch bool
	// Streamed names routes ("METHOD /route/pattern") whose multipart body
	// is streamed by the handler (a firmware image), never parsed whole:
	// without the header, their token must be the body's first part,
	// _csrf, and the handler reads the rest through MultipartReader.
	Streamed map[string]bool
}

const keyMultipart = "fp.multipart"

// MultipartReader returns the request's multipart reader: the one CheckCSRF
// began (past its _csrf part) on a streamed route, else a new one.
func MultipartReader(c echo.Context) (*multipart.Reader, error) {
	if mr, ok := c.Get(keyMultipart).(*multipart.Reader); ok {
		return mr, nil
	}
	return firmware.MultipartReader(c.Request())
}

// streamedToken reads a streamed form's first part, which must be _csrf.
func streamedToken(c echo.Context) string {
	mr, err := firmware.MultipartReader(c.Request())
	if err != nil {
		return ""
	}
	c.Set(keyMultipart, mr)
	p, err := mr.NextPart()
	if err != nil || p.FormName() != "_csrf" {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(p, 256))
	if err != nil {
		return ""
	}
	return string(b)
}

// errCSRF is the refusal of a request without the right token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")

// CheckCSRF refuses state-changing requests that do not carry the token bound to
// the caller (header X-CSRF-Token or form field _csrf): a signed-in
// session's own token, or before sign-in the pre-session cookie's (see
// session.Store.CSRFToken); cross-site requests (Sec-Fetch-Site) are
// refused whatever they carry. It runs after Sessions and leaves the token
// for pages to render (CSRF).
func CheckCSRF(store *session.Store, opts CSRFOptions) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess := Session(c)
			signedIn := sess != nil && !sess.IsNew
			var pre string
			if ck, err := c.Cookie(store.CSRFCookieName()); err == nil && session.ValidPreSession(ck.Value) {
				pre = ck.Value
			}
			switch {
			case signedIn && pre != "":
				c.SetCookie(store.ForgetPreSession()) // its use ended at sign-in
				pre = ""
			case !signedIn && pre == "":
				var ck *http.Cookie
				pre, ck = store.NewPreSession()
				c.SetCookie(ck)
			}
			c.Set(KeyCSRF, store.CSRFToken(sess, pre))
			c.Set(keyForgetCSRF, func() { c.SetCookie(store.ForgetPreSession()) })
			c.Response().Header().Add(echo.HeaderVary, echo.HeaderCookie)

			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				return next(c)
			}
			site := c.Request().Header.Get(echo.HeaderSecFetchSite)
			if site == "cross-site" {
				return errCSRF
			}
			if opts.SameOriginFetch && site == "same-origin" {
				return next(c)
			}
			token := c.Request().Header.Get(echo.HeaderXCSRFToken)
			switch {
			case token != "":
			case opts.Streamed[c.Request().Method+" "+c.Path()]:
				token = streamedToken(c)
			default:
				token = c.FormValue("_csrf")
			}
			if !store.CheckCSRF(sess, pre, token) {
				return errCSRF
			}
			return next(c)
		}
	}
}

// ForgetCSRF ends the pre-session CSRF cookie at login and logout, so the
// next page gets a token bound to what follows (the new session, or a fresh
// pre-session).
func ForgetCSRF(c echo.Context) {
	if f, ok := c.Get(keyForgetCSRF).(func()); ok {
		f()
	}
}
