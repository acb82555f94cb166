package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/views/devices"
)

// ModelsList is the Models page: each model of the fleet and what its
// devices can do.
func (h *Handler) ModelsList(c echo.Context) error {
	ms, err := h.Devices.Models(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.Models(Meta(c, "Models", "devices"), ms))
}
