package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/views/home"
)

// Dashboard is the signed-in home page.
func (h *Handler) Home(c echo.Context) error {
	s, err := h.Dashboard.Summary(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, home.Dashboard(Meta(c, "Dashboard", "dashboard"), s))
}
