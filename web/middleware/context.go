// Package middleware holds the Echo middleware: request ids and logs,
// security headers, session and API-key authentication, and the accessors
// handlers use to read what the middleware put on the request.
package middleware

import (
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/user"
)

const (
	keyActor     = "fp.actor"
	keyPrincipal = "fp.principal"
	keySession   = "fp.session"
	// KeyCSRF is where CheckCSRF leaves the token.
	KeyCSRF       = "csrf"
	keyForgetCSRF = "fp.csrf.forget"
)

// Actor returns the authenticated actor, if any.
func Actor(c echo.Context) (actor.Actor, bool) {
	a, ok := c.Get(keyActor).(actor.Actor)
	return a, ok
}

// Principal returns the signed-in staff member (pages only).
func Principal(c echo.Context) (user.Principal, bool) {
	p, ok := c.Get(keyPrincipal).(user.Principal)
	return p, ok
}

// Session returns the request's session (pages only).
func Session(c echo.Context) *sessions.Session {
	s, _ := c.Get(keySession).(*sessions.Session)
	return s
}

// CSRF returns the token forms must carry.
func CSRF(c echo.Context) string {
	s, _ := c.Get(KeyCSRF).(string)
	return s
}

// RequestID returns the request id set by the RequestID middleware.
func RequestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// IsAPI reports whether the request is for the JSON API (or internal
// callbacks), which answer errors as JSON.
func IsAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/cpe" || len(p) > 5 && p[:5] == "/cpe/" || len(p) > 10 && p[:10] == "/internal/"
}

// IsHTMX reports an htmx request.
func IsHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }
