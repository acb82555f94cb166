package page

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/views/devices"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/views/tasks"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// deviceTasks is the device's latest tasks (for its page).
func (h *Handler) deviceTasks(ctx context.Context, a actor.Actor, id uuid.UUID) ([]action.Task, error) {
	if h.Actions == nil {
		return nil, nil
	}
	p, err := h.Actions.List(ctx, a, action.Filter{Device: &id, Limit: 10})
	return p.Items, err
}

// DeviceTasks is the device's task list fragment htmx polls.
func (h *Handler) DeviceTasks(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	a := actorOf(c)
	if _, err := h.Devices.Get(c.Request().Context(), a, id); err != nil {
		return err
	}
	ts, err := h.deviceTasks(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.DeviceTasks(id, ts, middleware.CSRF(c), a.Can(actor.PermDeviceAction)))
}

// DeviceDiagnostics is the diagnostics fragment; it polls while a
// diagnostics task is open.
func (h *Handler) DeviceDiagnostics(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	// Our own errors (another organization's device, a role) first: below,
	// any other error is taken for GenieACS not answering.
	if _, err := h.Devices.Get(ctx, a, id); err != nil {
		return err
	}
	d, err := h.Actions.Diagnostics(ctx, a, id)
	msg := ""
	switch {
	case err == nil:
	case genieacs.IsRetryable(err):
		msg = "GenieACS is not answering; the latest results will show when it does."
	default:
		return err
	}
	// Poll while one of our diagnostics tasks is open (the task ends when
	// the device reports its results, so the last poll shows them).
	poll := false
	ts, err := h.deviceTasks(ctx, a, id)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if (t.Kind == action.KindPing || t.Kind == action.KindSpeedTest || t.Kind == action.KindTraceroute || t.Kind == action.KindWiFiScan) && !t.Finished() {
			poll = true
		}
	}
	return Render(c, http.StatusOK, devices.Diagnostics(id, d, msg, poll, a.Can(actor.PermDeviceAction)))
}

// DeviceLine is the line essentials fragment at the top of the device page.
func (h *Handler) DeviceLine(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	l, err := h.Actions.Line(c.Request().Context(), actorOf(c), id)
	msg, err := genieacsNotice(err, "they will show when it does")
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.Line(l, msg))
}

// DeviceTree is one level of the device's parameter tree (a fragment the
// page loads as a node opens).
func (h *Handler) DeviceTree(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var t action.Tree
	note := ""
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		t, err = h.Actions.SearchTree(c.Request().Context(), actorOf(c), id, q)
		note = searchNote(t)
	} else {
		t, err = h.Actions.Tree(c.Request().Context(), actorOf(c), id, c.QueryParam("path"))
	}
	msg, err := genieacsNotice(err, "the tree shows when it does")
	if err != nil {
		return err // a path or search the page never sends: 422
	}
	return Render(c, http.StatusOK, devices.TreeLevel(id, t, msg, treeRights(c), note))
}

// DeviceTreeAdd adds an instance to a table from the tree (owners,
// admins); the table's level answers as it then is.
func (h *Handler) DeviceTreeAdd(c echo.Context) error {
	return h.treeTask(c, func(ctx context.Context, a actor.Actor, id uuid.UUID, path string) (action.Task, string, error) {
		tk, err := h.Actions.AddInstance(ctx, a, id, path)
		return tk, path, err
	})
}

// DeviceTreeDelete deletes an instance from the tree (owners, admins);
// its table's level answers as it then is.
func (h *Handler) DeviceTreeDelete(c echo.Context) error {
	return h.treeTask(c, func(ctx context.Context, a actor.Actor, id uuid.UUID, path string) (action.Task, string, error) {
		tk, err := h.Actions.DeleteInstance(ctx, a, id, path)
		return tk, path[:max(0, strings.LastIndex(path, "."))], err
	})
}

// treeTask runs a task on the tree's form value path and renders the
// level it names.
func (h *Handler) treeTask(c echo.Context, run func(ctx context.Context, a actor.Actor, id uuid.UUID, path string) (action.Task, string, error)) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	tk, level, err := run(ctx, a, id, strings.TrimSpace(c.FormValue("path")))
	if err != nil {
		return err
	}
	t, err := h.Actions.Tree(ctx, a, id, level)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.TreeLevel(id, t, "", treeRights(c), taskFlash(tk)))
}

// DeviceHosts is the connected-devices fragment.
func (h *Handler) DeviceHosts(c echo.Context) error {
	return h.hosts(c, "")
}

// DeviceHostsRefresh has GenieACS read the hosts and Wi-Fi clients
// (technicians up) and answers the fragment as it then is.
func (h *Handler) DeviceHostsRefresh(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	tk, err := h.Actions.RefreshHosts(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return h.hosts(c, taskFlash(tk))
}

func (h *Handler) hosts(c echo.Context, note string) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	a := actorOf(c)
	hs, err := h.Actions.Hosts(c.Request().Context(), a, id)
	msg, err := genieacsNotice(err, "they show when it does")
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.HostsPanel(id, hs, msg, a.Can(actor.PermDeviceAction), note))
}

// genieacsNotice sorts the error of a fragment that reads GenieACS: ours
// (another organization's device, a role, a bad request) are returned;
// GenieACS not configured or not answering become the fragment's notice
// (then: what happens when it answers).
func genieacsNotice(err error, then string) (string, error) {
	var ve validation.Errors
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, db.ErrNotFound), errors.Is(err, actor.ErrForbidden):
		return "", err // ours, before anything is taken for GenieACS not answering
	case errors.As(err, &ve) && len(ve) == 1 && ve["device"] != "":
		return "GenieACS is not configured on this installation.", nil
	case errors.As(err, &ve):
		return "", err
	case genieacs.IsRetryable(err):
		return "GenieACS is not answering; " + then + ".", nil
	}
	return "", err
}

// searchNote says how many parameters a tree search found.
func searchNote(t action.Tree) string {
	switch n := len(t.Nodes); {
	case t.More:
		return fmt.Sprintf("More than %d parameters hold %q; the first %d are listed.", n, t.Query, n)
	case n == 1:
		return fmt.Sprintf("1 parameter holds %q.", t.Query)
	default:
		return fmt.Sprintf("%d parameters hold %q.", n, t.Query)
	}
}

func treeRights(c echo.Context) devices.TreeRights {
	a := actorOf(c)
	return devices.TreeRights{Refresh: a.Can(actor.PermDeviceAction), Edit: a.Can(actor.PermAdvancedConfig)}
}

// DeviceTreeSet sets one writable value from the tree (owners, admins):
// the raw parameter action, read back; the level answers as it then is,
// with how the task went (a refusal in its note, nothing sent).
func (h *Handler) DeviceTreeSet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	path := c.FormValue("path")
	in := action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: c.FormValue("value"), Type: c.FormValue("type")}}}
	note := ""
	tk, err := h.Actions.SetParameters(ctx, a, id, in)
	var ve validation.Errors
	switch {
	case errors.As(err, &ve) && ve["device"] == "":
		note = "Not sent: " + strings.Join(slices.Collect(maps.Values(ve)), "; ")
	case err != nil:
		return err
	default:
		note = taskFlash(tk)
	}
	parent := path
	if i := strings.LastIndex(path, "."); i > 0 {
		parent = path[:i]
	}
	t, err := h.Actions.Tree(ctx, a, id, parent)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, devices.TreeLevel(id, t, "", treeRights(c), note))
}

// DeviceTreeRefresh has GenieACS read one level again (a refreshObject
// task) and answers the level as it then is, with how the task went.
func (h *Handler) DeviceTreeRefresh(c echo.Context) error {
	return h.treeTask(c, func(ctx context.Context, a actor.Actor, id uuid.UUID, path string) (action.Task, string, error) {
		tk, err := h.Actions.RefreshTree(ctx, a, id, path)
		return tk, path, err
	})
}

// deviceAction runs one action from the device page: back to the page with
// what happened, or the page again with the form's errors (422).
func (h *Handler) deviceAction(c echo.Context, forms devices.ActionForms, run func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error)) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	t, err := run(c.Request().Context(), actorOf(c), id)
	if errs, ok := formErrors(c, err); ok {
		forms.Errors = errs
		return h.deviceDetail(c, http.StatusUnprocessableEntity, id, devices.AssignForm{}, forms)
	} else if err != nil {
		return err
	}
	flash(c, taskFlash(t))
	return seeOther(c, "/devices/"+id.String())
}

// taskFlash says what became of a task just sent.
func taskFlash(t action.Task) string {
	what := t.Summary
	if what != "" {
		what = strings.ToUpper(what[:1]) + what[1:]
	}
	switch t.Status {
	case action.StatusDone:
		return what + ": done."
	case action.StatusRunning:
		return what + ": the device is running it; results show below."
	case action.StatusQueued:
		return what + ": queued — " + t.Message + "."
	case action.StatusFailed:
		return what + ": failed — " + t.Message
	case action.StatusPending:
		if t.Message != "" {
			// GenieACS is not answering: the task waits in FyberPay.
			return what + ": queued until GenieACS is back — " + t.Message + "."
		}
		return what + ": sending to GenieACS; its status updates below."
	}
	return what + ": sent to GenieACS; its status updates below."
}

// DeviceWiFi changes the Wi-Fi from the device page.
func (h *Handler) DeviceWiFi(c echo.Context) error {
	in := action.WiFiInput{SSID: c.FormValue("ssid"), Password: c.FormValue("password"), Band: c.FormValue("band")}
	return h.deviceAction(c, devices.ActionForms{Open: "wifi", SSID: in.SSID, Band: in.Band},
		func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
			return h.Actions.SetWiFi(ctx, a, id, in)
		})
}

// DeviceParameters sets one raw parameter (owners and admins).
func (h *Handler) DeviceParameters(c echo.Context) error {
	path, value, typ := strings.TrimSpace(c.FormValue("path")), c.FormValue("value"), c.FormValue("type")
	in := action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: value, Type: typ}}}
	return h.deviceAction(c, devices.ActionForms{Open: "parameters", Path: path, Value: value, Type: typ},
		func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
			return h.Actions.SetParameters(ctx, a, id, in)
		})
}

// DeviceReboot reboots the device.
func (h *Handler) DeviceReboot(c echo.Context) error {
	return h.deviceAction(c, devices.ActionForms{}, h.Actions.Reboot)
}

// DeviceRefresh reads health values now.
func (h *Handler) DeviceRefresh(c echo.Context) error {
	return h.deviceAction(c, devices.ActionForms{}, h.Actions.Refresh)
}

// DeviceFactoryReset resets the device once its serial has been typed.
func (h *Handler) DeviceFactoryReset(c echo.Context) error {
	typed := c.FormValue("confirm")
	return h.deviceAction(c, devices.ActionForms{Open: "factory"}, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.ConfirmedFactoryReset(ctx, a, id, typed)
	})
}

// DeviceTraceroute runs a traceroute from the device.
func (h *Handler) DeviceTraceroute(c echo.Context) error {
	hops := c.FormValue("maxHops")
	forms := devices.ActionForms{Open: "traceroute", TraceHost: c.FormValue("host"), TraceHops: hops}
	return h.deviceAction(c, forms, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.Traceroute(ctx, a, id, action.TracerouteInput{Host: forms.TraceHost, MaxHops: formInt(hops)})
	})
}

// DeviceWiFiScan has the device scan the neighbouring Wi-Fi.
func (h *Handler) DeviceWiFiScan(c echo.Context) error {
	return h.deviceAction(c, devices.ActionForms{Open: "scan"}, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.NeighbourScan(ctx, a, id)
	})
}

// DeviceWiFiChannel sets a band's Wi-Fi channel (the scan's advice, in one
// click).
func (h *Handler) DeviceWiFiChannel(c echo.Context) error {
	in := action.ChannelInput{Band: c.FormValue("band"), Channel: formInt(c.FormValue("channel"))}
	return h.deviceAction(c, devices.ActionForms{Open: "scan"}, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		return h.Actions.SetChannel(ctx, a, id, in)
	})
}

// DevicePing pings a host from the device.
func (h *Handler) DevicePing(c echo.Context) error {
	reps, timeout := c.FormValue("repetitions"), c.FormValue("timeoutMs")
	forms := devices.ActionForms{Open: "ping", Host: c.FormValue("host"), Reps: reps, Timeout: timeout}
	return h.deviceAction(c, forms, func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
		// A value that is not a number is out of range: the service then
		// reports it with every other field.
		in := action.PingInput{Host: forms.Host, Repetitions: formInt(reps), TimeoutMs: formInt(timeout)}
		return h.Actions.Ping(ctx, a, id, in)
	})
}

// formInt reads an optional number: 0 (the default) when empty, -1 (out
// of range) when not a number or a typed 0.
func formInt(v string) int {
	if strings.TrimSpace(v) == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n == 0 {
		return -1
	}
	return n
}

// DeviceUploadTest runs an upload test.
func (h *Handler) DeviceUploadTest(c echo.Context) error {
	mib, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("mib")))
	if strings.TrimSpace(c.FormValue("mib")) != "" && mib == 0 {
		mib = -1 // not a number: refused as out of range
	}
	in := action.UploadTestInput{UploadURL: c.FormValue("uploadUrl"), MiB: mib}
	return h.deviceAction(c, devices.ActionForms{Open: "upload", UploadURL: in.UploadURL, UploadMiB: c.FormValue("mib")},
		func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
			return h.Actions.UploadTest(ctx, a, id, in)
		})
}

// DeviceSpeedTest runs a download test.
func (h *Handler) DeviceSpeedTest(c echo.Context) error {
	in := action.SpeedTestInput{DownloadURL: c.FormValue("downloadUrl")}
	return h.deviceAction(c, devices.ActionForms{Open: "speed", SpeedURL: in.DownloadURL},
		func(ctx context.Context, a actor.Actor, id uuid.UUID) (action.Task, error) {
			return h.Actions.SpeedTest(ctx, a, id, in)
		})
}

// back is a same-site path to return to, else fallback.
func back(c echo.Context, fallback string) string { return safePath(c.FormValue("back"), fallback) }

// TaskRetry retries a task and goes back.
func (h *Handler) TaskRetry(c echo.Context) error {
	return h.taskOp(c, h.Actions.Retry, "Retried: ")
}

// TaskCancel cancels a task and goes back.
func (h *Handler) TaskCancel(c echo.Context) error {
	return h.taskOp(c, h.Actions.Cancel, "Cancelled: ")
}

func (h *Handler) taskOp(c echo.Context, op func(context.Context, actor.Actor, uuid.UUID) (action.Task, error), verb string) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	t, err := op(c.Request().Context(), actorOf(c), id)
	if errs, ok := formErrors(c, err); ok {
		flash(c, firstMessage(errs))
	} else if err != nil {
		return err
	} else {
		flash(c, verb+t.Summary+" on "+t.Serial+" ("+t.Status+").")
	}
	return seeOther(c, back(c, "/tasks"))
}

// TasksList is the organization's tasks page.
func (h *Handler) TasksList(c echo.Context) error {
	q := c.QueryParams()
	f := action.ParseFilter(q)
	var device string
	bad := validation.Errors{}
	if v := q.Get("device"); v != "" {
		if id, err := uuid.Parse(v); err == nil {
			f.Device, device = &id, v
		} else {
			bad.Add("device", "is not a device id")
		}
	}
	if v := q.Get("bulk"); v != "" {
		if id, err := uuid.Parse(v); err == nil {
			f.Bulk = &id
		} else {
			bad.Add("bulk", "is not a bulk action id")
		}
	}
	a := actorOf(c)
	p, err := h.Actions.List(c.Request().Context(), a, f)
	if err == nil && len(bad) > 0 {
		err = bad
	}
	var errs form.Errors
	status := http.StatusOK
	if e, ok := formErrors(c, err); ok {
		errs, f, status = e, action.Filter{}, http.StatusUnprocessableEntity
		p, err = h.Actions.List(c.Request().Context(), a, f)
	}
	if err != nil {
		return err
	}
	return Render(c, status, tasks.List(Meta(c, "Tasks", "tasks"), tasks.ListPage{
		Filter: f, Device: device, Items: p.Items, NextHref: nextHref(c, p.Next), Errors: errs, CanAct: a.Can(actor.PermDeviceAction),
		Back: c.Request().URL.RequestURI(),
	}))
}

// DevicesBulk starts a bulk action from the devices list.
func (h *Handler) DevicesBulk(c echo.Context) error {
	in := action.BulkInput{Action: c.FormValue("action"), Tag: c.FormValue("tag")}
	if c.FormValue("scope") == "filter" {
		in.Filter = &action.BulkFilter{Serial: c.FormValue("serial"), Subscriber: c.FormValue("subscriber"), Model: c.FormValue("model"),
			Firmware: c.FormValue("firmware"), Tag: c.FormValue("filter_tag"), PONPort: c.FormValue("pon_port"), Status: c.FormValue("status")}
	} else {
		form, _ := c.FormParams()
		for _, v := range form["ids"] {
			id, err := uuid.Parse(v)
			if err != nil {
				// The role before the input, as the service does.
				if err := actorOf(c).Require(actor.PermDeviceAction); err != nil {
					return err
				}
				return validation.Errors{"ids": "is not a list of device ids"}
			}
			in.IDs = append(in.IDs, id)
		}
	}
	in.Confirm = c.FormValue("confirm")
	b, err := h.Actions.StartBulk(c.Request().Context(), actorOf(c), in)
	var ce *action.ConfirmError
	if errors.As(err, &ce) {
		return h.bulkConfirm(c, *ce)
	}
	if errs, ok := formErrors(c, err); ok {
		flash(c, "Bulk action not started — "+firstMessage(errs))
		return seeOther(c, back(c, "/devices"))
	} else if err != nil {
		return err
	}
	return seeOther(c, "/bulk/"+b.ID.String())
}

// bulkConfirm asks for the number of devices a bulk action reaches (422
// when a wrong number was typed).
func (h *Handler) bulkConfirm(c echo.Context, ce action.ConfirmError) error {
	status := http.StatusOK
	if ce.Typed != "" {
		status = http.StatusUnprocessableEntity
		kept(c, form.Errors{"confirm": fmt.Sprintf("%s is not the number of devices; type %d", strconv.Quote(ce.Typed), ce.Total)})
	}
	posted, _ := c.FormParams()
	var fields [][2]string
	for _, k := range slices.Sorted(maps.Keys(posted)) {
		if k == "_csrf" || k == "confirm" {
			continue
		}
		for _, v := range posted[k] {
			fields = append(fields, [2]string{k, v})
		}
	}
	return Render(c, status, tasks.BulkConfirm(Meta(c, "Confirm: "+strings.ToLower(ce.Verb), "devices"),
		tasks.BulkConfirmPage{Confirm: ce, Fields: fields, Back: back(c, "/devices")}))
}

// BulkShow is a bulk action's progress page.
func (h *Handler) BulkShow(c echo.Context) error {
	return h.bulk(c, false)
}

// BulkProgress is the progress fragment htmx polls.
func (h *Handler) BulkProgress(c echo.Context) error {
	return h.bulk(c, true)
}

func (h *Handler) bulk(c echo.Context, fragment bool) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	b, err := h.Actions.GetBulk(ctx, a, id)
	if err != nil {
		return err
	}
	ts, err := h.Actions.List(ctx, a, action.Filter{Bulk: &id, Limit: 200})
	if err != nil {
		return err
	}
	p := tasks.BulkPage{Bulk: b, Tasks: ts.Items}
	if fragment {
		return Render(c, http.StatusOK, tasks.BulkProgress(p))
	}
	return Render(c, http.StatusOK, tasks.Bulk(Meta(c, "Bulk action", "tasks"), p))
}
