package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/web/httperr"
)

// DevicesMetrics is GET /cpe/devices/:id/metrics?range=24h|7d|30d: the
// device's health series (traffic as Mbps rates) and latest values.
func (h *Handler) DevicesMetrics(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if h.Health == nil {
		return httperr.NotFound()
	}
	window, err := devicehealth.ParseRange(c.QueryParam("range"))
	if err != nil {
		return err
	}
	s, err := h.Health.Series(c.Request().Context(), actorOf(c), id, window)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}
