package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/httperr"
)

// UsersList is GET /cpe/users.
func (h *Handler) UsersList(c echo.Context) error {
	us, err := h.Users.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(us))
}

// UsersGet is GET /cpe/users/:id.
func (h *Handler) UsersGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	u, err := h.Users.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// UsersCreate is POST /cpe/users.
func (h *Handler) UsersCreate(c echo.Context) error {
	var in user.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := h.Users.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// UsersUpdate is PATCH /cpe/users/:id ({"role","disabled","name"}).
func (h *Handler) UsersUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var ch user.Change
	if err := decode(c, &ch); err != nil {
		return err
	}
	u, err := h.Users.Update(c.Request().Context(), actorOf(c), id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
