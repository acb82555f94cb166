package middleware

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/httperr"
)

// Sessions loads the session and, when it names an enabled user, sets the
// actor and principal. It never refuses a request; RequireUser does.
func Sessions(store *session.Store, users *user.Service, op *Operator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request().WithContext(session.WithClientIP(c.Request().Context(), c.RealIP()))
			c.SetRequest(r)
			sess, err := store.Get(r, store.Name())
			if err != nil {
				return err
			}
			c.Set(keySession, sess)
			if sess.IsNew {
				return next(c)
			}
			uid, err1 := uuid.Parse(str(sess.Values[session.KeyUserID]))
			oid, err2 := uuid.Parse(str(sess.Values[session.KeyOrgID]))
			if err1 != nil || err2 != nil {
				return next(c)
			}
			p, err := users.ForSession(r.Context(), uid, oid)
			if errors.Is(err, db.ErrNotFound) {
				return next(c) // disabled or deleted since: treated as signed out
			} else if err != nil {
				return err
			}
			c.Set(keyPrincipal, p)
			c.Set(keyActor, actor.Actor{Kind: actor.KindUser, ID: p.ID, Label: p.Email, OrgID: p.OrgID, Role: p.Role, IP: c.RealIP(),
				Operator: op.isSlug(p.OrgSlug)})
			return next(c)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

// RequireUser sends visitors without a valid session to the login page
// (htmx requests get HX-Redirect, since a 303 would be swapped in place).
func RequireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := Principal(c); ok {
			c.Response().Header().Set("Cache-Control", "no-store")
			return next(c)
		}
		target := "/login"
		if c.Request().Method == http.MethodGet && c.Request().URL.Path != "/" {
			target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
		}
		if IsHTMX(c) {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// RequireOperator refuses actors outside the operator organization or
// without PermViewJobs (routes with no service call of their own, such as
// the River UI, which spans every organization's jobs).
func RequireOperator(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, _ := Actor(c)
		if err := a.RequireOperator(); err != nil {
			return err
		}
		return next(c)
	}
}

// APIKey authenticates the JSON API with "Authorization: Bearer <key>".
func APIKey(keys *apikey.Service, op *Operator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="fyberpay"`)
				return &httperr.Error{Status: http.StatusUnauthorized, Code: "unauthorized",
					Message: "send an API key as Authorization: Bearer <key>"}
			}
			a, err := keys.Authenticate(c.Request().Context(), strings.TrimSpace(token), c.RealIP())
			if err != nil {
				if errors.Is(err, apikey.ErrInvalid) {
					c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="fyberpay", error="invalid_token"`)
				}
				return err
			}
			if a.Operator, err = op.isOrg(c.Request().Context(), a.OrgID); err != nil {
				return err
			}
			c.Set(keyActor, a)
			return next(c)
		}
	}
}
