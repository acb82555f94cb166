package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Integration is GET /cpe/integration: the spec's troubleshooting checks,
// run now (the operator organization's owners and admins; 403 for others).
func (h *Handler) Integration(c echo.Context) error {
	r, err := h.Checks.Report(c.Request().Context(), actorOf(c), h.KeyProbe)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, r)
}

// IntegrationDevice is GET /cpe/integration/device?device=<id, serial or
// GenieACS id>: the per-device checklist, for the organization's own
// devices (the operator organization's: any device).
func (h *Handler) IntegrationDevice(c echo.Context) error {
	cl, err := h.Checks.DeviceChecklist(c.Request().Context(), actorOf(c), c.QueryParam("device"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, cl)
}
