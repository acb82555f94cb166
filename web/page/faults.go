package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/views/faults"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/web/httperr"
)

// FaultsList is the fault board: active faults grouped by code and model,
// and the filtered list, newest first.
func (h *Handler) FaultsList(c echo.Context) error {
	ctx, a := c.Request().Context(), actorOf(c)
	f := fault.ParseFilter(c.QueryParams())
	p, err := h.Faults.List(ctx, a, f)
	var errs form.Errors
	status := http.StatusOK
	if e, ok := formErrors(c, err); ok {
		errs, f, status = e, fault.Filter{}, http.StatusUnprocessableEntity
		p, err = h.Faults.List(ctx, a, f)
	}
	if err != nil {
		return err
	}
	groups, err := h.Faults.Groups(ctx, a)
	if err != nil {
		return err
	}
	signal, err := h.Devices.OpticalGroups(ctx, a)
	if err != nil {
		return err
	}
	ports, truncated, err := h.Devices.OpticalPorts(ctx, a)
	if err != nil {
		return err
	}
	return Render(c, status, faults.List(Meta(c, "Faults", "faults"), faults.ListPage{
		Filter: f, Groups: groups, Signal: signal, Ports: ports, PortsTruncated: truncated, Items: p.Items, NextHref: nextHref(c, p.Next), Errors: errs,
		CanClear: a.Can(actor.PermDeviceAction), Back: c.Request().URL.RequestURI(),
	}))
}

// FaultClear clears a fault (in GenieACS too) and goes back to the board.
func (h *Handler) FaultClear(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	f, err := h.Faults.Clear(c.Request().Context(), actorOf(c), id)
	if errs, ok := formErrors(c, err); ok {
		flash(c, "Fault not cleared — "+firstMessage(errs))
	} else if err != nil {
		return err
	} else {
		flash(c, "Cleared "+f.Code+" on "+f.Serial+".")
	}
	return seeOther(c, back(c, "/faults"))
}
