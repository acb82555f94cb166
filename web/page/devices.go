package page

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/views/devices"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// DevicesList is the devices page.
func (h *Handler) DevicesList(c echo.Context) error {
	ctx, a := c.Request().Context(), actorOf(c)
	f := cpe.ParseFilter(c.QueryParams())
	p := devices.ListPage{Filter: f, CanAdd: a.Can(actor.PermClaimDevice),
		CanBulk: h.Actions.Enabled() && a.Can(actor.PermDeviceAction), CanBulkTags: a.Can(actor.PermAdvancedConfig),
		Back: c.Request().URL.RequestURI(), Thresholds: h.Devices.Thresholds()}
	status := http.StatusOK
	page, err := h.Devices.List(ctx, a, f)
	if errs, ok := formErrors(c, err); ok {
		status, p.Errors = http.StatusUnprocessableEntity, errs
	} else if err != nil {
		return err
	}
	p.Items = page.Items
	if status == http.StatusOK {
		if p.Total, err = h.deviceTotal(ctx, a, f); err != nil {
			return err
		}
	}
	if p.Models, p.Firmware, err = h.Devices.Facets(ctx, a); err != nil {
		return err
	}
	q := c.QueryParams()
	q.Del("after")
	p.ExportURL = "/devices/export.csv?" + q.Encode()
	p.NextHref = nextHref(c, page.Next)
	return Render(c, status, devices.List(Meta(c, "Devices", "devices"), p))
}

// countCap bounds the count of a search the maintained counts do not keep.
const countCap = 10000

// deviceTotal is how many devices match f: from the dashboard's maintained
// counts for model, firmware and status, else counted up to countCap.
func (h *Handler) deviceTotal(ctx context.Context, a actor.Actor, f cpe.Filter) (devices.Total, error) {
	if f.Serial == "" && f.Subscriber == "" && f.Tag == "" && f.PONPort == "" && h.Dashboard != nil {
		fl, err := h.Dashboard.Fleet(ctx, a)
		if err != nil {
			return devices.Total{}, err
		}
		if n, ok := fl.Matching(f.Model, f.Firmware, f.Status); ok {
			return devices.Total{N: n, Exact: true}, nil
		}
	}
	n, exact, err := h.Devices.CountUpTo(ctx, a, f, countCap)
	return devices.Total{N: n, Exact: exact}, err
}

// DevicesExport streams the current filter as CSV.
func (h *Handler) DevicesExport(c echo.Context) error {
	f := cpe.ParseFilter(c.QueryParams())
	// Validate before the 200 goes out: errors after that cannot change it.
	probe := f
	probe.Limit = 1
	if _, err := h.Devices.List(c.Request().Context(), actorOf(c), probe); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="devices.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	return h.Devices.ExportCSV(c.Request().Context(), actorOf(c), f, c.Response())
}

func (h *Handler) deviceDetail(c echo.Context, status int, id uuid.UUID, assign devices.AssignForm, forms ...devices.ActionForms) error {
	ctx, a := c.Request().Context(), actorOf(c)
	d, err := h.Devices.GetDetail(ctx, a, id)
	if err != nil {
		return err
	}
	ts, err := h.deviceTasks(ctx, a, id)
	if err != nil {
		return err
	}
	p, _ := middleware.Principal(c)
	page := devices.DetailPage{
		Device: d.Device, OrgName: p.OrgName, Recent: d.RecentActions, CanAssign: a.Can(actor.PermDeviceAction), Assign: assign,
		Tasks: ts, CanAdvanced: a.Can(actor.PermAdvancedConfig), Actions: h.Actions.Enabled() && d.GenieACSID != "",
		Health: h.Health != nil, HealthRange: healthRange(c),
		Conflicts: d.IdentityConflicts, CanResolve: a.Can(actor.PermClaimDevice), CanEditPort: a.Can(actor.PermClaimDevice),
	}
	if len(forms) > 0 {
		page.Forms = forms[0]
	}
	return Render(c, status, devices.Detail(Meta(c, d.Serial, "devices"), page))
}

// DeviceShow is one device's page.
func (h *Handler) DeviceShow(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	return h.deviceDetail(c, http.StatusOK, id, devices.AssignForm{})
}

// DevicePush is the push-state fragment htmx polls.
func (h *Handler) DevicePush(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	a := actorOf(c)
	d, err := h.Devices.Get(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.Push(d, middleware.CSRF(c), a.Can(actor.PermDeviceAction)))
}

// DevicePushRetry pushes a failed configuration again.
func (h *Handler) DevicePushRetry(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.Devices.RetryPush(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	flash(c, "Pushing the configuration again.")
	return seeOther(c, "/devices/"+id.String())
}

// DeviceAssign assigns a subscriber from the device page.
func (h *Handler) DeviceAssign(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	in := cpe.AssignInput{Subscriber: c.FormValue("subscriber"), Move: c.FormValue("move") == "true",
		PPPoEUsername: c.FormValue("pppoeUsername"), PPPoEPassword: c.FormValue("pppoePassword")}
	d, err := h.Devices.Assign(c.Request().Context(), actorOf(c), id, in)
	var ae *cpe.AssignedElsewhereError
	if errors.As(err, &ae) {
		errs := kept(c, map[string]string{"subscriber": ae.Subscriber + " is already on " + cpe.Serials(ae.Devices) + "; move them here, or choose another subscriber"})
		return h.deviceDetail(c, http.StatusConflict, id, devices.AssignForm{Subscriber: ae.Subscriber, Errors: errs, Elsewhere: ae.Devices})
	}
	if errs, ok := formErrors(c, err); ok {
		return h.deviceDetail(c, http.StatusUnprocessableEntity, id, devices.AssignForm{Subscriber: in.Subscriber, LineUsername: in.PPPoEUsername, Errors: errs})
	} else if err != nil {
		return err
	}
	msg := "Assigned to " + d.Subscriber + "; pushing the PPPoE login to the device."
	if d.LineUsername != "" {
		msg = "Assigned to " + d.Subscriber + " with this device's own PPPoE login " + d.LineUsername + "; pushing it to the device."
	}
	if in.Move {
		msg = "Moved " + d.Subscriber + " here; pushing the PPPoE login to this device and clearing it on the other."
	}
	flash(c, msg)
	return seeOther(c, "/devices/"+id.String())
}

// DeviceUnassign removes the subscriber.
func (h *Handler) DeviceUnassign(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	_, err = h.Devices.Unassign(c.Request().Context(), actorOf(c), id)
	if errs, ok := formErrors(c, err); ok {
		return h.deviceDetail(c, http.StatusUnprocessableEntity, id, devices.AssignForm{Errors: errs})
	} else if err != nil {
		return err
	}
	flash(c, "Unassigned; removing the subscriber's tags in GenieACS.")
	return seeOther(c, "/devices/"+id.String())
}

// DevicePONPort records the OLT port the device hangs off.
func (h *Handler) DevicePONPort(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	port := c.FormValue("ponPort")
	d, err := h.Devices.SetPONPort(c.Request().Context(), actorOf(c), id, port)
	if errs, ok := formErrors(c, err); ok {
		return h.deviceDetail(c, http.StatusUnprocessableEntity, id, devices.AssignForm{},
			devices.ActionForms{Open: "pon-port", PONPort: port, Errors: errs})
	} else if err != nil {
		return err
	}
	if d.PONPort == "" {
		flash(c, "PON port forgotten.")
	} else {
		flash(c, "PON port recorded: "+d.PONPort+".")
	}
	return seeOther(c, "/devices/"+id.String())
}

// DeviceNewForm shows the add-a-device form.
func (h *Handler) DeviceNewForm(c echo.Context) error {
	if err := actorOf(c).Require(actor.PermClaimDevice); err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.New(Meta(c, "Add a device", "devices"), devices.NewForm{}))
}

// DeviceCreate adds a device to the inventory.
func (h *Handler) DeviceCreate(c echo.Context) error {
	in := cpe.InventoryInput{Serial: c.FormValue("serial"), Model: c.FormValue("model"), Subscriber: c.FormValue("subscriber"), PONPort: c.FormValue("pon_port")}
	d, err := h.Devices.AddToInventory(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		return Render(c, http.StatusUnprocessableEntity, devices.New(Meta(c, "Add a device", "devices"),
			devices.NewForm{Serial: in.Serial, Model: in.Model, Subscriber: in.Subscriber, PONPort: in.PONPort, Errors: errs}))
	} else if err != nil {
		return err
	}
	flash(c, "Added "+d.Serial+".")
	return seeOther(c, "/devices/"+d.ID.String())
}

// DeviceImportForm shows the CSV upload form.
func (h *Handler) DeviceImportForm(c echo.Context) error {
	if err := actorOf(c).Require(actor.PermClaimDevice); err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.ImportForm(Meta(c, "Import devices", "devices"), ""))
}

// DeviceImportPreview checks an uploaded CSV and shows every row.
func (h *Handler) DeviceImportPreview(c echo.Context) error {
	a := actorOf(c)
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return err
	}
	m := Meta(c, "Import devices", "devices")
	fh, err := c.FormFile("file")
	if err != nil {
		return Render(c, http.StatusUnprocessableEntity, devices.ImportForm(m, "choose a CSV file"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := h.Devices.PreviewImport(c.Request().Context(), a, fh.Filename, f)
	var fe *cpe.ErrImportFile
	if errors.As(err, &fe) {
		return Render(c, http.StatusUnprocessableEntity, devices.ImportForm(m, fe.Error()))
	} else if err != nil {
		return err
	}
	status := http.StatusOK
	if p.Invalid > 0 {
		status = http.StatusUnprocessableEntity
	}
	return Render(c, status, devices.Preview(m, p))
}

// DeviceImportCommit imports a previewed file, all or nothing.
func (h *Handler) DeviceImportCommit(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	a := actorOf(c)
	res, err := h.Devices.CommitImport(c.Request().Context(), a, id)
	if errors.Is(err, cpe.ErrImportHasErrors) {
		p, gerr := h.Devices.GetImport(c.Request().Context(), a, id)
		if gerr != nil {
			return gerr
		}
		m := Meta(c, "Import devices", "devices")
		m.Error = "The devices changed since the preview: " + err.Error()
		return Render(c, http.StatusUnprocessableEntity, devices.Preview(m, p))
	} else if errs, ok := formErrors(c, err); ok {
		return HTMXAlertOrPage(c, firstMessage(errs))
	} else if err != nil {
		return err
	}
	flash(c, importSummary(res))
	return seeOther(c, "/devices?sort=newest")
}

func importSummary(r cpe.ImportResult) string {
	return "Imported " + itoa(r.Added+r.Claimed) + " devices (" + itoa(r.Added) + " new, " + itoa(r.Claimed) + " claimed, " + itoa(r.Assigned) + " with a subscriber)."
}

// PendingList shows unowned devices to those who may claim them.
func (h *Handler) PendingList(c echo.Context) error {
	serial := c.QueryParam("serial")
	p, err := h.Devices.PendingSearch(c.Request().Context(), actorOf(c), cpe.PendingFilter{Serial: serial, After: c.QueryParam("after"), Limit: 50})
	if err != nil {
		return err
	}
	view := devices.PendingPage{Items: p.Items, CSRF: middleware.CSRF(c), Serial: serial}
	if p.Total != nil {
		view.Total = *p.Total
	}
	if p.Next != "" {
		view.NextHref = "/pending?" + url.Values{"serial": {serial}, "after": {p.Next}}.Encode()
	}
	return Render(c, http.StatusOK, devices.Pending(Meta(c, "Pending devices", "pending"), view))
}

// PendingClaim claims a pending device.
func (h *Handler) PendingClaim(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Devices.Claim(c.Request().Context(), actorOf(c), id)
	// The list again, with why: a colleague was first (409), or the device
	// is not pending — unknown, or claimed by another organization, which
	// reads exactly like an unknown id (404).
	status, msg := http.StatusConflict, "That device was just claimed by someone in your organization."
	if errors.Is(err, db.ErrNotFound) {
		status, msg = http.StatusNotFound, "That device is not pending (any more); someone may have claimed it."
	}
	if errors.Is(err, cpe.ErrAlreadyClaimed) || errors.Is(err, db.ErrNotFound) {
		m := Meta(c, "Pending devices", "pending")
		m.Error = msg
		p, lerr := h.Devices.Pending(c.Request().Context(), actorOf(c), "", 50)
		if lerr != nil {
			return lerr
		}
		return Render(c, status, devices.Pending(m, devices.PendingPage{Items: p.Items, CSRF: middleware.CSRF(c)}))
	} else if err != nil {
		return err
	}
	flash(c, "Claimed "+d.Serial+"; it now carries your organization's tag.")
	return seeOther(c, "/devices/"+d.ID.String())
}

// DeviceIdentityAccept accepts an identity conflict: the CPE that reported
// the device's serial with another identity is the device now (a swap).
func (h *Handler) DeviceIdentityAccept(c echo.Context) error { return h.identityResolve(c, true) }

// DeviceIdentityReject rejects an identity conflict: the stored identity
// stays and that CPE keeps getting nothing.
func (h *Handler) DeviceIdentityReject(c echo.Context) error { return h.identityResolve(c, false) }

func (h *Handler) identityResolve(c echo.Context, accept bool) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := httperr.IDParam(c, "cid")
	if err != nil {
		return err
	}
	back := "/devices/" + id.String()
	got, err := h.Devices.ResolveConflict(c.Request().Context(), actorOf(c), id, cid, accept)
	switch {
	case errors.Is(err, cpe.ErrConflictResolved):
		flash(c, "Nothing changed: "+err.Error()+".")
		return seeOther(c, back)
	case err != nil:
		return err
	case accept:
		flash(c, fmt.Sprintf("Accepted the new identity (%s %s): its configuration is being pushed to it.", got.OUI, got.ProductClass))
	default:
		flash(c, fmt.Sprintf("Rejected the identity %s %s: that CPE stays without secrets.", got.OUI, got.ProductClass))
	}
	return seeOther(c, back)
}
