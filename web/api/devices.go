package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// DevicesList is GET /cpe/devices?serial=&subscriber=&model=&firmware=&tag=&status=&sort=&after=&limit=.
func (h *Handler) DevicesList(c echo.Context) error {
	f := cpe.ParseFilter(c.QueryParams())
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return validation.Errors{"limit": "must be a number between 1 and 500"}
		}
		f.Limit = n
	}
	p, err := h.Devices.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []cpe.Device{}
	}
	return c.JSON(http.StatusOK, p)
}

// DevicesExport is GET /cpe/devices.csv with the same filters.
func (h *Handler) DevicesExport(c echo.Context) error {
	f := cpe.ParseFilter(c.QueryParams())
	probe := f
	probe.Limit = 1
	if _, err := h.Devices.List(c.Request().Context(), actorOf(c), probe); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return h.Devices.ExportCSV(c.Request().Context(), actorOf(c), f, c.Response())
}

// DevicesGet is GET /cpe/devices/:id: the device and its recent actions.
func (h *Handler) DevicesGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Devices.GetDetail(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// DevicesCreate is POST /cpe/devices {"serial","model","subscriber"}: add
// to the inventory.
func (h *Handler) DevicesCreate(c echo.Context) error {
	var in cpe.InventoryInput
	if err := decode(c, &in); err != nil {
		return err
	}
	d, err := h.Devices.AddToInventory(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// DevicesImport is POST /cpe/devices/import with a CSV body: the preview
// (every row checked). Commit it with POST /cpe/imports/:id/commit.
func (h *Handler) DevicesImport(c echo.Context) error {
	p, err := h.Devices.PreviewImport(c.Request().Context(), actorOf(c), c.QueryParam("filename"), c.Request().Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

// ImportsGet is GET /cpe/imports/:id.
func (h *Handler) ImportsGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := h.Devices.GetImport(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ImportsCommit is POST /cpe/imports/:id/commit: all rows or none.
func (h *Handler) ImportsCommit(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	res, err := h.Devices.CommitImport(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// PendingList is GET /cpe/pending?serial=&after=: with the total the
// search matches.
func (h *Handler) PendingList(c echo.Context) error {
	p, err := h.Devices.PendingSearch(c.Request().Context(), actorOf(c),
		cpe.PendingFilter{Serial: c.QueryParam("serial"), After: c.QueryParam("after"), Limit: 100})
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []cpe.Device{}
	}
	return c.JSON(http.StatusOK, p)
}

// PendingClaim is POST /cpe/pending/:id/claim (409 to the loser of a race).
func (h *Handler) PendingClaim(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Devices.Claim(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// DevicesAssign is POST /cpe/devices/:id/assign-subscriber
// {"subscriber":"<username>"} or {"subscriberId":"<uuid>"}. The answer's
// pushState is "pending" until the device holds the PPPoE login.
func (h *Handler) DevicesAssign(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in cpe.AssignInput
	if err := decode(c, &in); err != nil {
		return err
	}
	d, err := h.Devices.Assign(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// DevicesUnassign is POST /cpe/devices/:id/unassign.
func (h *Handler) DevicesUnassign(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Devices.Unassign(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// DevicesPush is POST /cpe/devices/:id/push: push the configuration again.
func (h *Handler) DevicesPush(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Devices.RetryPush(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// IdentityConflictsList is GET /cpe/identity-conflicts: the organization's
// open identity conflicts, newest first (limit, default 50).
func (h *Handler) IdentityConflictsList(c echo.Context) error {
	errs := validation.Errors{}
	limit := queryLimit(c, errs)
	if limit < 0 || limit > 500 {
		errs.Add("limit", "must be a number between 1 and 500")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if limit == 0 {
		limit = 50
	}
	list, total, err := h.Devices.OpenConflicts(c.Request().Context(), actorOf(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list, "total": total})
}

// DevicesIdentityAccept is POST /cpe/devices/:id/identity-conflicts/:cid/accept:
// the CPE that reported the device's serial with another identity is the
// device now (a swap or RMA); its configuration is pushed to it.
func (h *Handler) DevicesIdentityAccept(c echo.Context) error { return h.identityResolve(c, true) }

// DevicesIdentityReject is POST /cpe/devices/:id/identity-conflicts/:cid/reject.
func (h *Handler) DevicesIdentityReject(c echo.Context) error { return h.identityResolve(c, false) }

func (h *Handler) identityResolve(c echo.Context, accept bool) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := httperr.IDParam(c, "cid")
	if err != nil {
		return err
	}
	got, err := h.Devices.ResolveConflict(c.Request().Context(), actorOf(c), id, cid, accept)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, got)
}

// ModelsList is GET /cpe/models: the organization's models with how many
// of their devices have each capability.
func (h *Handler) ModelsList(c echo.Context) error {
	ms, err := h.Devices.Models(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ms})
}

// OpticalList is GET /cpe/optical?status=alarm|all&pon_port=&limit=&after=:
// the optical readings, weakest received level first.
func (h *Handler) OpticalList(c echo.Context) error {
	f := cpe.OpticalFilter{Status: c.QueryParam("status"), PONPort: c.QueryParam("pon_port"), After: c.QueryParam("after")}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return validation.Errors{"limit": "must be between 1 and 500"}
		}
		f.Limit = n
	}
	p, err := h.Devices.Optical(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// OpticalPorts is GET /cpe/optical/ports: the PON ports with ONTs in
// optical alarm, most first ({"items": [...], "truncated": bool}).
func (h *Handler) OpticalPorts(c echo.Context) error {
	ports, truncated, err := h.Devices.OpticalPorts(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ports, "truncated": truncated})
}

// DevicesPONPort is PUT /cpe/devices/:id/pon-port {"ponPort"}: record the
// OLT port the device hangs off ("" forgets it).
func (h *Handler) DevicesPONPort(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in PONPortInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.PONPort == nil {
		return validation.Errors{"ponPort": "is required (\"\" forgets the port)"}
	}
	d, err := h.Devices.SetPONPort(c.Request().Context(), actorOf(c), id, *in.PONPort)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
