package web

import (
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/page"
)

// healthPageRoutes registers the device page's health panel (a fragment
// htmx loads, with its range switch).
func healthPageRoutes(staff *echo.Group, ph *page.Handler) {
	staff.GET("/devices/:id/health", ph.DeviceHealth)
}

// healthAPIRoutes registers /cpe/devices/:id/metrics.
func healthAPIRoutes(cpe *echo.Group, ah *api.Handler) {
	cpe.GET("/devices/:id/metrics", ah.DevicesMetrics)
}
