package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/web/httperr"
)

// APIKeysList is GET /cpe/api-keys.
func (h *Handler) APIKeysList(c echo.Context) error {
	ks, err := h.APIKeys.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(ks))
}

// APIKeysGet is GET /cpe/api-keys/:id.
func (h *Handler) APIKeysGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	k, err := h.APIKeys.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

// APIKeysCreate is POST /cpe/api-keys; the answer holds the key, once.
func (h *Handler) APIKeysCreate(c echo.Context) error {
	var in apikey.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	k, plain, err := h.APIKeys.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, KeyCreated{k, plain})
}

// KeyCreated is POST /cpe/api-keys's answer: the key's record and the key
// itself, shown once.
type KeyCreated struct {
	apikey.Key
	Plain string `json:"key"`
}

// APIKeysRevoke is POST /cpe/api-keys/:id/revoke (and DELETE /cpe/api-keys/:id).
func (h *Handler) APIKeysRevoke(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	k, err := h.APIKeys.Revoke(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}
