package web

import (
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/page"
)

// subscriberPageRoutes registers the plans and subscribers pages (staff
// session required; the group already carries CSRF and RequireUser).
func subscriberPageRoutes(staff *echo.Group, ph *page.Handler) {}

// subscriberAPIRoutes registers /cpe/plans and /cpe/subscribers.
func subscriberAPIRoutes(cpe *echo.Group, ah *api.Handler) {}
