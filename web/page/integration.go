package page

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
	viewintegration "github.com/fyberpay/cpe/views/integration"
	"github.com/fyberpay/cpe/web/httperr"
)

// IntegrationShow runs the troubleshooting checks (the operator
// organization's owners and admins) and, with ?device=, one device's
// checklist.
func (h *Handler) IntegrationShow(c echo.Context) error {
	a := actorOf(c)
	ctx := c.Request().Context()
	r, err := h.Checks.Report(ctx, a, h.KeyProbe)
	if err != nil {
		return err
	}
	p := viewintegration.Page{Report: r, Device: c.QueryParam("device"), CanBootstrap: a.Can(actor.PermManageProvisions)}
	if p.Device != "" {
		cl, err := h.Checks.DeviceChecklist(ctx, a, p.Device)
		var ve validation.Errors
		switch {
		case errors.Is(err, db.ErrNotFound):
			p.DeviceError = "No device with that serial or id in FyberPay, nor with that id in GenieACS."
		case errors.As(err, &ve):
			p.DeviceError = ve["device"]
		case err != nil:
			return err
		default:
			p.Checklist = &cl
		}
	}
	return Render(c, http.StatusOK, viewintegration.Show(Meta(c, "Integration", "integration"), p))
}

// DeviceChecklist runs one device's checklist (any staff, their own
// organization's devices).
func (h *Handler) DeviceChecklist(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	cl, err := h.Checks.DeviceChecklist(c.Request().Context(), actorOf(c), id.String())
	if err != nil {
		return err
	}
	a := actorOf(c)
	return Render(c, http.StatusOK, viewintegration.DevicePage(Meta(c, "Troubleshooting", "devices"), "/devices/"+id.String(), cl,
		a.Can(actor.PermDeviceAction)))
}

// DeviceWake sends the device a connection request and shows its
// checklist with the outcome at the top.
func (h *Handler) DeviceWake(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	a := actorOf(c)
	ctx := c.Request().Context()
	m := Meta(c, "Troubleshooting", "devices")
	m.URL = "/devices/" + id.String() + "/checklist"
	status := http.StatusOK
	res, err := h.Actions.Wake(ctx, a, id)
	var ve validation.Errors
	switch {
	case errors.As(err, &ve):
		status, m.Error = http.StatusUnprocessableEntity, ve["device"]
	case err != nil:
		return err
	case res.Reached:
		m.Flash = "Connection request: " + res.Message + "."
	default:
		m.Error = "Connection request: " + res.Message + "."
	}
	cl, err := h.Checks.DeviceChecklist(ctx, a, id.String())
	if err != nil {
		return err
	}
	return Render(c, status, viewintegration.DevicePage(m, "/devices/"+id.String(), cl, a.Can(actor.PermDeviceAction)))
}
