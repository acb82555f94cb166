package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/views/devices"
	"github.com/fyberpay/cpe/web/httperr"
)

// DeviceHealth is the device page's health panel (?range=24h|7d|30d): the
// latest values and the charts, a fragment htmx loads and swaps.
func (h *Handler) DeviceHealth(c echo.Context) error {
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
	return Render(c, http.StatusOK, devices.Health(s))
}

// healthRange is the device page's ?health= (the range its panel opens
// on), "" when absent or not a range.
func healthRange(c echo.Context) string {
	r := c.QueryParam("health")
	if _, err := devicehealth.ParseRange(r); err != nil {
		return ""
	}
	return r
}
