package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/audit"
	viewaudit "github.com/fyberpay/cpe/views/audit"
	"github.com/fyberpay/cpe/views/form"
)

// AuditList shows the organization's audit log, filtered and paged.
func (h *Handler) AuditList(c echo.Context) error {
	a := actorOf(c)
	f := viewaudit.Filters{
		Actor: c.QueryParam("actor"), Action: c.QueryParam("action"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Errors: form.Errors{},
	}
	filter, errs := audit.ParseFilter(c.QueryParams())
	for k, v := range errs {
		f.Errors[k] = v
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
		filter = audit.Filter{Limit: filter.Limit}
	}
	pg, err := h.Audit.List(c.Request().Context(), a, filter)
	if err != nil {
		return err
	}
	actions, err := h.Audit.Actions(c.Request().Context(), a)
	if err != nil {
		return err
	}
	p := viewaudit.Page{Rows: pg.Rows, Actions: actions, Filters: f}
	if pg.Next != "" {
		q := c.QueryParams()
		q.Set("before", pg.Next)
		p.NextHref = "/audit?" + q.Encode()
	}
	return Render(c, status, viewaudit.List(Meta(c, "Audit log", "audit"), p))
}
