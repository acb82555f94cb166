package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/views/apikeys"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

func (h *Handler) keysPage(c echo.Context, status int, p apikeys.Page) error {
	keys, err := h.APIKeys.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	p.Keys, p.CSRF = keys, middleware.CSRF(c)
	if p.Form.Role == "" {
		p.Form.Role = "viewer"
	}
	return Render(c, status, apikeys.List(Meta(c, "API keys", "apikeys"), p))
}

// APIKeysList lists the organization's keys with the create form.
func (h *Handler) APIKeysList(c echo.Context) error {
	return h.keysPage(c, http.StatusOK, apikeys.Page{})
}

// APIKeysCreate creates a key and shows it once. The answer is the page
// itself (not a redirect), so the key never sits in a session or URL.
func (h *Handler) APIKeysCreate(c echo.Context) error {
	in := apikey.Input{Name: c.FormValue("name"), Role: c.FormValue("role")}
	k, plain, err := h.APIKeys.Create(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		return h.keysPage(c, http.StatusUnprocessableEntity, apikeys.Page{Form: apikeys.CreateForm{Name: in.Name, Role: in.Role, Errors: errs}})
	} else if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.keysPage(c, http.StatusCreated, apikeys.Page{NewKey: plain, NewName: k.Name})
}

// APIKeysRevoke revokes a key.
func (h *Handler) APIKeysRevoke(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	k, err := h.APIKeys.Revoke(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	if middleware.IsHTMX(c) {
		return Render(c, http.StatusOK, apikeys.Row(middleware.CSRF(c), k))
	}
	flash(c, "Key "+k.Name+" revoked.")
	return seeOther(c, "/api-keys")
}
