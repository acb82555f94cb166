package web

import (
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/page"
)

// syncPageRoutes registers the device sync page (owners and admins; the
// service checks).
func syncPageRoutes(staff *echo.Group, ph *page.Handler) {
	staff.GET("/admin/sync", ph.SyncShow)
	staff.POST("/admin/sync", ph.SyncRequest)
}

// syncAPIRoutes registers /cpe/sync/runs.
func syncAPIRoutes(cpe *echo.Group, ah *api.Handler) {
	cpe.GET("/sync/runs", ah.SyncRuns)
}
