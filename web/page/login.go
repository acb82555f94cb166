package page

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/views/auth"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// LoginForm shows the sign-in form (or sends signed-in staff home).
func (h *Handler) LoginForm(c echo.Context) error {
	if _, ok := middleware.Principal(c); ok {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return Render(c, http.StatusOK, auth.Login(Meta(c, "Sign in", ""), auth.LoginForm{Next: safeNext(c.QueryParam("next"))}))
}

// Login checks the credentials and starts a fresh session.
func (h *Handler) Login(c echo.Context) error {
	f := auth.LoginForm{
		Email:  strings.TrimSpace(c.FormValue("email")),
		Next:   safeNext(c.FormValue("next")),
		Errors: form.Errors{},
	}
	password := c.FormValue("password")
	if f.Email == "" {
		f.Errors["email"] = "is required"
	}
	if password == "" {
		f.Errors["password"] = "is required"
	}
	m := Meta(c, "Sign in", "")
	if len(f.Errors) > 0 {
		return Render(c, http.StatusUnprocessableEntity, auth.Login(m, f))
	}
	p, err := h.Users.Authenticate(c.Request().Context(), f.Email, password, c.RealIP())
	var te *user.ThrottledError
	switch {
	case errors.As(err, &te), errors.Is(err, user.ErrBusy):
		he := httperr.From(err)
		c.Response().Header().Set("Retry-After", strconv.Itoa(he.RetryAfter))
		m.Error = he.Message
		return Render(c, he.Status, auth.Login(m, f))
	case errors.Is(err, user.ErrBadCredentials):
		m.Error = "Wrong e-mail or password."
		return Render(c, http.StatusUnauthorized, auth.Login(m, f))
	case err != nil:
		return err
	}

	sess := middleware.Session(c)
	if !sess.IsNew { // never reuse a session id across a login (fixation)
		sess.Options.MaxAge = -1
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	sess.ID = ""
	sess.Values = map[any]any{session.KeyUserID: p.ID.String(), session.KeyOrgID: p.OrgID.String()}
	sess.Options.MaxAge = h.SessionMaxAge
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	middleware.ForgetCSRF(c) // from now on the token is the new session's
	if p.OrgTimeZone == "" && h.Orgs != nil {
		// The organization's first sign-in names its time zone (the
		// browser's); an owner or admin can change it.
		if err := h.Orgs.AdoptTimeZone(c.Request().Context(), p.OrgID, c.FormValue("tz")); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// Logout deletes the session row (audited) and the cookie.
func (h *Handler) Logout(c echo.Context) error {
	if sess := middleware.Session(c); sess != nil && !sess.IsNew {
		if a, ok := middleware.Actor(c); ok {
			if err := h.Users.Logout(c.Request().Context(), a, sess.ID); err != nil {
				return err
			}
		}
		sess.Options.MaxAge = -1
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	middleware.ForgetCSRF(c) // the sign-in form gets a fresh pre-session token
	return seeOther(c, "/login")
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string { return safePath(next, "/") }
