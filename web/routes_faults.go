package web

import (
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/page"
)

// faultPageRoutes registers the fault board (staff session required; the
// group already carries CSRF and RequireUser).
func faultPageRoutes(staff *echo.Group, ph *page.Handler) {
	staff.GET("/faults", ph.FaultsList)
	staff.POST("/faults/:id/clear", ph.FaultClear)
}

// faultAPIRoutes registers /cpe/faults.
func faultAPIRoutes(cpe *echo.Group, ah *api.Handler) {
	cpe.GET("/faults", ah.FaultsList)
	cpe.GET("/faults/:id", ah.FaultsGet)
	cpe.POST("/faults/:id/clear", ah.FaultsClear)
}
