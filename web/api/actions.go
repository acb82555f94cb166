package api

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// taskAnswer is 200 with the task when it is done, else 202 with a
// Location to follow it.
func taskAnswer(c echo.Context, t action.Task) error {
	if t.Status == action.StatusDone {
		return c.JSON(http.StatusOK, t)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/cpe/tasks/"+t.ID.String())
	return c.JSON(http.StatusAccepted, t)
}

// decodeOptional decodes a JSON body when there is one.
func decodeOptional(c echo.Context, v any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return decode(c, v)
}

// deviceAction runs one action on the device named in the path.
func (h *Handler) deviceAction(c echo.Context, body any, run func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error)) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if body != nil {
		if err := decodeOptional(c, body); err != nil {
			return err
		}
	}
	t, err := run(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return taskAnswer(c, t)
}

// DevicesWiFi is POST /cpe/devices/:id/wifi {"ssid","password","band"?}.
func (h *Handler) DevicesWiFi(c echo.Context) error {
	var in action.WiFiInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.SetWiFi(ctx, a, id, in)
	})
}

// DevicesParameters is POST /cpe/devices/:id/parameters
// {"parameters":[[path, value, type?]], "connectionRequest"?}.
func (h *Handler) DevicesParameters(c echo.Context) error {
	var in action.ParameterInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.SetParameters(ctx, a, id, in)
	})
}

// DevicesWake is POST /cpe/devices/:id/wake: a connection request only;
// 200 with whether the CPE answered it.
func (h *Handler) DevicesWake(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	res, err := h.Actions.Wake(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// DevicesReboot is POST /cpe/devices/:id/reboot.
func (h *Handler) DevicesReboot(c echo.Context) error {
	return h.deviceAction(c, nil, h.Actions.Reboot)
}

// DevicesFactoryReset is POST /cpe/devices/:id/factory-reset.
func (h *Handler) DevicesFactoryReset(c echo.Context) error {
	return h.deviceAction(c, nil, h.Actions.FactoryReset)
}

// DevicesRefresh is POST /cpe/devices/:id/refresh: read health values now.
// With {"path"} it has GenieACS read that subtree instead (refreshObject).
func (h *Handler) DevicesRefresh(c echo.Context) error {
	var in RefreshInput
	return h.deviceAction(c, &in, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		if in.Path != nil {
			return h.Actions.RefreshTree(ctx, a, id, *in.Path)
		}
		return h.Actions.Refresh(ctx, a, id)
	})
}

// DevicesSpeedTest is POST /cpe/devices/:id/speed-test {"downloadUrl"?}.
func (h *Handler) DevicesSpeedTest(c echo.Context) error {
	var in action.SpeedTestInput
	return h.deviceAction(c, &in, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.SpeedTest(ctx, a, id, in)
	})
}

// DevicesUploadTest is POST /cpe/devices/:id/upload-test {"uploadUrl","mib"?}.
func (h *Handler) DevicesUploadTest(c echo.Context) error {
	var in action.UploadTestInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.UploadTest(ctx, a, id, in)
	})
}

// DevicesPing is POST /cpe/devices/:id/ping {"host","repetitions"?,"timeoutMs"?}.
func (h *Handler) DevicesPing(c echo.Context) error {
	var in action.PingInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.Ping(ctx, a, id, in)
	})
}

// DevicesTraceroute is POST /cpe/devices/:id/traceroute {"host",
// "maxHops", "tries"}: a TR-143 traceroute from the device.
func (h *Handler) DevicesTraceroute(c echo.Context) error {
	var in action.TracerouteInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.Traceroute(ctx, a, id, in)
	})
}

// DevicesWiFiScan is POST /cpe/devices/:id/wifi-scan: a neighbouring
// Wi-Fi scan on the device; its networks and channel advice are in
// .../diagnostics.
func (h *Handler) DevicesWiFiScan(c echo.Context) error {
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.NeighbourScan(ctx, a, id)
	})
}

// DevicesWiFiChannel is POST /cpe/devices/:id/wifi-channel {"band",
// "channel"}: set a band's channel (automatic choice off).
func (h *Handler) DevicesWiFiChannel(c echo.Context) error {
	var in action.ChannelInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.SetChannel(ctx, a, id, in)
	})
}

// DevicesDiagnostics is GET /cpe/devices/:id/diagnostics: the latest
// download, upload, ping and traceroute results.
func (h *Handler) DevicesDiagnostics(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Actions.Diagnostics(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// DevicesLine is GET /cpe/devices/:id/line: Wi-Fi names, WAN type,
// status, address and PPPoE login, uptime, as GenieACS last read them.
func (h *Handler) DevicesLine(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	l, err := h.Actions.Line(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// DevicesParameterTree is GET /cpe/devices/:id/parameters?path=: one level
// of the device's parameter tree as GenieACS holds it (secrets never
// shown); ?q= finds the parameters whose path or value holds q.
func (h *Handler) DevicesParameterTree(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var t action.Tree
	if _, search := c.QueryParams()["q"]; search {
		t, err = h.Actions.SearchTree(c.Request().Context(), actorOf(c), id, c.QueryParam("q"))
	} else {
		t, err = h.Actions.Tree(c.Request().Context(), actorOf(c), id, c.QueryParam("path"))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// DevicesObjects is POST /cpe/devices/:id/objects {"add":"<table>"} or
// {"delete":"<instance>"}: an addObject or deleteObject task (owner,
// admin).
func (h *Handler) DevicesObjects(c echo.Context) error {
	var in ObjectInput
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.deviceAction(c, nil, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		switch {
		case in.Add != "" && in.Delete == "":
			return h.Actions.AddInstance(ctx, a, id, in.Add)
		case in.Delete != "" && in.Add == "":
			return h.Actions.DeleteInstance(ctx, a, id, in.Delete)
		}
		return action.Task{}, validation.Errors{"add": "give either add (a table's path) or delete (an instance's path)"}
	})
}

// DevicesHosts is GET /cpe/devices/:id/hosts: LAN hosts and Wi-Fi clients
// as GenieACS last read them.
func (h *Handler) DevicesHosts(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	hs, err := h.Actions.Hosts(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hs)
}

// DevicesHostsRefresh is POST /cpe/devices/:id/hosts/refresh: read them
// from the device (refreshObject tasks; technician, owner, admin).
func (h *Handler) DevicesHostsRefresh(c echo.Context) error {
	return h.deviceAction(c, nil, h.Actions.RefreshHosts)
}

// TasksList is GET /cpe/tasks?status=&kind=&device=&bulk=&after=&limit=.
func (h *Handler) TasksList(c echo.Context) error {
	f, err := TaskFilter(c)
	if err != nil {
		return err
	}
	p, err := h.Actions.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// TaskFilter reads a task filter from the query string.
func TaskFilter(c echo.Context) (action.Filter, error) {
	errs := validation.Errors{}
	f := action.ParseFilter(c.QueryParams())
	f.Device, f.Bulk, f.Limit = queryID(c, "device", errs), queryID(c, "bulk", errs), queryLimit(c, errs)
	return f, errs.Err()
}

// TasksGet is GET /cpe/tasks/:id.
func (h *Handler) TasksGet(c echo.Context) error {
	return h.taskOp(c, h.Actions.Get, http.StatusOK)
}

// TasksRetry is POST /cpe/tasks/:id/retry.
func (h *Handler) TasksRetry(c echo.Context) error {
	return h.taskOp(c, h.Actions.Retry, 0)
}

// TasksCancel is POST /cpe/tasks/:id/cancel.
func (h *Handler) TasksCancel(c echo.Context) error {
	return h.taskOp(c, h.Actions.Cancel, http.StatusOK)
}

func (h *Handler) taskOp(c echo.Context, op func(context.Context, actor.Actor, uuid.UUID) (action.Task, error), status int) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	t, err := op(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	if status == 0 {
		return taskAnswer(c, t)
	}
	return c.JSON(status, t)
}

// DevicesBulk is POST /cpe/devices/bulk {"action","tag"?,"ids"|"filter"}:
// 202 with a Location to follow the progress.
func (h *Handler) DevicesBulk(c echo.Context) error {
	var in action.BulkInput
	if err := decode(c, &in); err != nil {
		return err
	}
	b, err := h.Actions.StartBulk(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/cpe/bulk/"+b.ID.String())
	return c.JSON(http.StatusAccepted, b)
}

// BulkGet is GET /cpe/bulk/:id: progress and per-status counts.
func (h *Handler) BulkGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	b, err := h.Actions.GetBulk(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
