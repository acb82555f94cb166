package web

import (
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/page"
)

// subscriberPageRoutes registers the plans and subscribers pages (staff
// session required; the group already carries CSRF and RequireUser).
func subscriberPageRoutes(staff *echo.Group, ph *page.Handler) {
	staff.GET("/subscribers", ph.SubscribersList)
	staff.GET("/subscribers/new", ph.SubscribersNew)
	staff.POST("/subscribers", ph.SubscribersCreate)
	staff.GET("/subscribers/:id", ph.SubscriberShow)
	staff.POST("/subscribers/:id", ph.SubscriberUpdate)
	staff.POST("/subscribers/:id/suspend", ph.SubscriberSuspend)
	staff.POST("/subscribers/:id/activate", ph.SubscriberActivate)
	staff.GET("/plans", ph.PlansList)
	staff.POST("/plans", ph.PlansCreate)
	staff.GET("/plans/:id", ph.PlanShow)
	staff.POST("/plans/:id", ph.PlanUpdate)
}

// subscriberAPIRoutes registers /cpe/plans and /cpe/subscribers.
func subscriberAPIRoutes(cpe *echo.Group, ah *api.Handler) {
	cpe.GET("/plans", ah.PlansList)
	cpe.POST("/plans", ah.PlansCreate)
	cpe.GET("/plans/:id", ah.PlansGet)
	cpe.PUT("/plans/:id", ah.PlansUpdate)
	cpe.GET("/subscribers", ah.SubscribersList)
	cpe.POST("/subscribers", ah.SubscribersCreate)
	cpe.GET("/subscribers/:id", ah.SubscribersGet)
	cpe.PUT("/subscribers/:id", ah.SubscribersUpdate)
	cpe.POST("/subscribers/:id/suspend", ah.SubscribersSuspend)
	cpe.POST("/subscribers/:id/activate", ah.SubscribersActivate)
}
