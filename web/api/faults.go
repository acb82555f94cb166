package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// FaultsList is GET /cpe/faults?status=&code=&model=&device=&after=&limit=:
// the organization's faults, newest first (active ones unless status says).
func (h *Handler) FaultsList(c echo.Context) error {
	f, err := FaultFilter(c)
	if err != nil {
		return err
	}
	p, err := h.Faults.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// FaultFilter reads a fault filter from the query string.
func FaultFilter(c echo.Context) (fault.Filter, error) {
	errs := validation.Errors{}
	f := fault.ParseFilter(c.QueryParams())
	f.Device, f.Limit = queryID(c, "device", errs), queryLimit(c, errs)
	return f, errs.Err()
}

// FaultsGet is GET /cpe/faults/:id.
func (h *Handler) FaultsGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Faults.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

// FaultsClear is POST /cpe/faults/:id/clear: deletes the fault in GenieACS
// and answers it, cleared.
func (h *Handler) FaultsClear(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Faults.Clear(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}
