package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// AuditList is GET /cpe/audit?actor=&action=&from=&to=&before=&limit=.
// The answer's "next" is the before= cursor of the following page.
func (h *Handler) AuditList(c echo.Context) error {
	f, errs := audit.ParseFilter(c.QueryParams())
	if len(errs) > 0 {
		return validation.Errors(errs)
	}
	p, err := h.Audit.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	if p.Rows == nil {
		p.Rows = []audit.Row{}
	}
	return c.JSON(http.StatusOK, p)
}

// AuditGet is GET /cpe/audit/:id.
func (h *Handler) AuditGet(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return httperr.NotFound()
	}
	r, err := h.Audit.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
