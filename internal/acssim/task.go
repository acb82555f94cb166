package acssim

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ---- POST /devices/<id>/tasks ----

func (s *Sim) postTask(q *request, rawID string) error {
	id, err := decodeURIComponent(rawID)
	if err != nil {
		return err
	}
	_, cr := q.query["connection_request"]
	if len(q.body) == 0 {
		if !cr {
			plain(q.w, http.StatusBadRequest, "")
			return nil
		}
		return s.connectionRequestOnly(q, id)
	}
	v, err := parseJSON(q.body)
	if err != nil {
		syntaxError(q.w, err)
		return nil
	}
	s.mu.RLock()
	d := s.byID[id]
	exists := d != nil && d.has(fRegistered)
	s.mu.RUnlock()
	if !exists {
		plain(q.w, http.StatusNotFound, "No such device")
		return nil
	}
	body, ok := v.(*object)
	if !ok {
		return crash("TypeError: Cannot create property 'device' on %T", v)
	}
	body.set("device", id)
	now := s.now()
	if err := sanitizeTask(body, now); err != nil {
		return err
	}
	t := &task{device: id, doc: body, name: body.str("name")}
	ts, _ := body.get("timestamp")
	if tm, ok := ts.(time.Time); ok {
		t.ts = tm.UnixMilli()
	}
	if ex, ok := body.get("expiry"); ok {
		if tm, ok := ex.(time.Time); ok {
			t.expiry = tm.UnixMilli()
		}
	}
	t.id = s.oids.next(now)
	body.set("_id", t.id)

	s.mu.Lock()
	if key, _ := body.get("uniqueKey"); truthy(key) {
		for _, old := range append([]*task(nil), s.tasks.byDev[id]...) {
			if k, _ := old.doc.get("uniqueKey"); eqValues(k, key) {
				s.tasks.remove(old)
				break
			}
		}
	}
	s.tasks.add(t)
	echo := appendObject(nil, body)
	s.mu.Unlock()

	if !cr {
		jsonResponse(q.w, http.StatusAccepted, echo)
		return nil
	}
	status := s.connectionRequest(q, d, t)
	if status == "" {
		jsonResponse(q.w, http.StatusOK, echo)
		return nil
	}
	s.withReason(q.w, http.StatusAccepted, status, "application/json", echo)
	return nil
}

// connectionRequest wakes the device and waits for the session it runs,
// returning "" when the task completed or the 202 reason phrase.
func (s *Sim) connectionRequest(q *request, d *device, t *task) string {
	ctx := q.r.Context()
	// awaitSessionEnd(30 s): a device already in session holds the lock.
	if !s.waitIdle(ctx, d, 30*time.Second) {
		return "Task queued but not processed"
	}
	s.mu.RLock()
	reachable := d.has(fOnline) && !d.has(fRebooting)
	silent := d.has(fUnresponsive)
	s.mu.RUnlock()
	if !reachable {
		return "Device is offline"
	}
	if silent {
		wait := s.opts.OnlineThreshold
		if n, ok := jsParseInt(q.query.Get("timeout")); ok && n != 0 {
			wait = time.Duration(n) * time.Millisecond
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		return "Task queued but not processed"
	}
	select {
	case <-time.After(s.opts.SessionDelay):
	case <-ctx.Done():
		return "Task queued but not processed"
	}
	if err := s.session(ctx, d, []string{"6 CONNECTION REQUEST"}); err != nil {
		if errors.Is(err, ErrDeviceOffline) {
			return "Device is offline"
		}
		return "Task queued but not processed"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.faults.get(d.id+":task_"+string(t.id)) != nil {
		return "Task faulted"
	}
	if _, pending := s.tasks.byID[t.id]; pending {
		return "Task queued but not processed"
	}
	return ""
}

// connectionRequestOnly is POST .../tasks?connection_request with no body:
// 200 as soon as the device accepts, 504 with the reason otherwise.
func (s *Sim) connectionRequestOnly(q *request, id string) error {
	s.mu.RLock()
	d := s.byID[id]
	exists := d != nil && d.has(fRegistered)
	reachable := exists && d.has(fOnline) && !d.has(fRebooting)
	silent := exists && d.has(fUnresponsive)
	s.mu.RUnlock()
	switch {
	case !exists:
		plain(q.w, http.StatusNotFound, "No such device")
	case !reachable:
		s.withReason(q.w, http.StatusGatewayTimeout, "Device is offline", "", []byte("Device is offline"))
	case silent:
		plain(q.w, http.StatusOK, "")
	default:
		plain(q.w, http.StatusOK, "")
		go func() {
			time.Sleep(s.opts.SessionDelay)
			_ = s.session(s.ctx(), d, []string{"6 CONNECTION REQUEST"})
		}()
	}
	return nil
}

// waitIdle waits until no session holds the device.
func (s *Sim) waitIdle(ctx interface{ Done() <-chan struct{} }, d *device, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		s.mu.RLock()
		busy := d.has(fBusy)
		s.mu.RUnlock()
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return false
		}
	}
}

// sanitizeTask validates and normalises a task as lib/api-functions.ts
// does; an invalid task is the worker crash (no response).
func sanitizeTask(t *object, now time.Time) error {
	tsv, _ := t.get("timestamp")
	if truthy(tsv) {
		d, _ := jsNewDate(tsv)
		if tm, ok := d.(time.Time); ok {
			t.set("timestamp", tm)
		} else {
			t.set("timestamp", nil)
		}
	} else {
		t.set("timestamp", now.Truncate(time.Millisecond))
	}
	if ex, _ := t.get("expiry"); truthy(ex) {
		n, _ := jsNumber(ex)
		if f := n.(float64); math.IsNaN(f) {
			d, _ := jsNewDate(ex)
			t.set("expiry", d)
		} else {
			base := now
			if tm, ok := mustGet(t, "timestamp").(time.Time); ok {
				base = tm
			}
			t.set("expiry", base.Add(time.Duration(f*1000)*time.Millisecond))
		}
	}
	validParam := func(p any) bool {
		a, ok := p.([]any)
		if !ok || len(a) < 2 {
			return false
		}
		if name, ok := a[0].(string); !ok || name == "" {
			return false
		}
		switch a[1].(type) {
		case string, bool, float64:
		default:
			return false
		}
		if len(a) > 2 && a[2] != nil {
			if _, ok := a[2].(string); !ok {
				return false
			}
		}
		return true
	}
	name, _ := mustGet(t, "name").(string)
	switch name {
	case "getParameterValues":
		names, ok := mustGet(t, "parameterNames").([]any)
		if !ok || len(names) == 0 {
			return crash("Error: Missing 'parameterNames' property")
		}
		for _, p := range names {
			if s, ok := p.(string); !ok || s == "" {
				return crash("Error: Invalid parameter name '%v'", p)
			}
		}
	case "setParameterValues":
		vals, ok := mustGet(t, "parameterValues").([]any)
		if !ok || len(vals) == 0 {
			return crash("Error: Missing 'parameterValues' property")
		}
		for _, p := range vals {
			if !validParam(p) {
				return crash("Error: Invalid parameter value")
			}
		}
	case "refreshObject":
		if _, ok := mustGet(t, "objectName").(string); !ok {
			return crash("Error: Missing 'objectName' property")
		}
	case "deleteObject":
		if s, ok := mustGet(t, "objectName").(string); !ok || s == "" {
			return crash("Error: Missing 'objectName' property")
		}
	case "addObject":
		if pv, ok := t.get("parameterValues"); ok && pv != nil {
			vals, ok := pv.([]any)
			if !ok {
				return crash("Error: Invalid 'parameterValues' property")
			}
			for _, p := range vals {
				if !validParam(p) {
					return crash("Error: Invalid parameter value")
				}
			}
		}
	case "download":
		if !truthy(mustGet(t, "file")) {
			if s, ok := mustGet(t, "fileType").(string); !ok || s == "" {
				return crash("Error: Missing 'fileType' property")
			}
			if s, ok := mustGet(t, "fileName").(string); !ok || s == "" {
				return crash("Error: Missing 'fileName' property")
			}
		}
		if tf, ok := t.get("targetFileName"); ok && tf != nil {
			if _, ok := tf.(string); !ok {
				return crash("Error: Invalid 'targetFileName' property")
			}
		}
	case "provisions":
		arr, ok := mustGet(t, "provisions").([]any)
		if !ok {
			return crash("Error: Invalid 'provisions' property")
		}
		for _, e := range arr {
			inner, ok := e.([]any)
			if !ok {
				return crash("TypeError: arr.every is not a function")
			}
			for _, x := range inner {
				switch x.(type) {
				case nil, bool, float64, string:
				default:
					return crash("Error: Invalid 'provisions' property")
				}
			}
		}
	case "reboot", "factoryReset":
	default:
		return crash("Error: Invalid task name")
	}
	return nil
}

func mustGet(o *object, k string) any {
	v, _ := o.get(k)
	return v
}

// ---- /tasks/<id>[/retry] ----

func (s *Sim) taskRoute(q *request, rawID, action string) error {
	id, err := decodeURIComponent(rawID)
	if err != nil {
		return err
	}
	switch action {
	case "", "/":
		if q.r.Method != http.MethodDelete {
			return methodNotAllowed(q.w, "PUT DELETE")
		}
		oid, ok := parseObjectID(id)
		if !ok {
			return crash("BSONError: input must be a 24 character hex string")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.tasks.byID[oid]
		if t == nil {
			plain(q.w, http.StatusNotFound, "Task not found")
			return nil
		}
		if d := s.byID[t.device]; d != nil && d.has(fBusy) {
			plain(q.w, http.StatusServiceUnavailable, "Device is in session")
			return nil
		}
		s.tasks.remove(t)
		s.faults.del(t.device + ":task_" + string(t.id))
		plain(q.w, http.StatusOK, "")
	case "/retry":
		if q.r.Method != http.MethodPost {
			return methodNotAllowed(q.w, "POST")
		}
		oid, ok := parseObjectID(id)
		if !ok {
			return crash("BSONError: input must be a 24 character hex string")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.tasks.byID[oid]
		if t == nil {
			// task.device of null: TypeError in the real handler.
			return crash("TypeError: Cannot read properties of null (reading 'device')")
		}
		if d := s.byID[t.device]; d != nil && d.has(fBusy) {
			plain(q.w, http.StatusServiceUnavailable, "Device is in session")
			return nil
		}
		s.faults.del(t.device + ":task_" + string(t.id))
		plain(q.w, http.StatusOK, "")
	default:
		plain(q.w, http.StatusNotFound, "")
	}
	return nil
}

// ---- execution (inside a session, with s.mu held) ----

// cwmpFault is a fault the simulated CPE or ACS raises for a task.
type cwmpFault struct {
	code, message string
	detail        *object
}

func cpeFault(code, msg string, spv []any) *cwmpFault {
	det := &object{}
	det.set("faultCode", code)
	det.set("faultString", msg)
	if spv != nil {
		det.set("setParameterValuesFault", spv)
	} else {
		det.set("setParameterValuesFault", nil)
	}
	return &cwmpFault{code: "cwmp." + code, message: msg, detail: det}
}

// retryDelay is GenieACS's backoff before a faulted channel runs again
// (RETRY_DELAY 300 s × 2^retries), in wall time.
func (s *Sim) retryDelay(retries int) time.Duration {
	return s.wall(time.Duration(300*(1<<min(retries, 10))) * time.Second)
}

func sortTasks(ts []*task) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && (ts[j].ts < ts[j-1].ts || (ts[j].ts == ts[j-1].ts && ts[j].id < ts[j-1].id)); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// setValues applies a SetParameterValues the way a CPE does: all or
// nothing, 9008 for a read-only parameter, 9007 for an invalid value.
func (s *Sim) setValues(d *device, vals []any, now int64) *cwmpFault {
	type write struct {
		ref nref
		val any
	}
	var writes []write
	var faults []any
	code := ""
	for _, v := range vals {
		a := v.([]any)
		path := a[0].(string)
		r, ok := s.resolve(d, path)
		if !ok || d.tpl.nodes[r.node].obj {
			continue // not in the data model: GenieACS sends nothing
		}
		n := &d.tpl.nodes[r.node]
		fc, fs := "", ""
		var cv any
		if !n.w {
			fc, fs = "9008", "Attempt to set a non-writable parameter"
		} else if x, ok := coerce(n.typ, a[1]); !ok || !s.validValue(d, r, x) {
			fc, fs = "9007", "Invalid parameter value"
		} else {
			cv = x
		}
		if fc != "" {
			pf := &object{}
			pf.set("parameterName", path)
			pf.set("faultCode", fc)
			pf.set("faultString", fs)
			faults = append(faults, pf)
			if code == "" || fc == "9008" {
				code = fc
			}
			continue
		}
		writes = append(writes, write{r, cv})
	}
	if len(faults) > 0 {
		msg := "Invalid parameter value"
		if code == "9008" {
			msg = "Attempt to set a non-writable parameter"
		}
		return cpeFault(code, msg, faults)
	}
	for _, w := range writes {
		s.writeValue(d, w.ref, w.val, now)
	}
	for _, w := range writes {
		if w.ref.inst == 0 && d.tpl.nodes[w.ref.node].name == "DiagnosticsState" && w.val == "Requested" {
			s.startDiagnostics(d, w.ref, now)
		}
	}
	return nil
}

// validValue applies the model-specific constraints CPEs enforce.
func (s *Sim) validValue(d *device, r nref, v any) bool {
	str, _ := v.(string)
	name := d.tpl.nodes[r.node].name
	switch {
	case name == "SSID":
		return len(str) >= 1 && len(str) <= 32
	case name == "KeyPassphrase" || name == "X_TP_Password" && strings.Contains(d.tpl.nodes[r.node].path, "Security"):
		return len(str) >= 8 && len(str) <= 63
	case name == "PreSharedKey" && strings.Contains(d.tpl.nodes[r.node].path, "WLANConfiguration"):
		return len(str) >= 8 && len(str) <= 64
	case name == "PreSharedKey":
		return len(str) == 0 || len(str) == 64
	case name == "PeriodicInformInterval":
		f, _ := v.(float64)
		return f >= 1
	case name == "DiagnosticsState":
		switch str {
		case "None", "Requested", "Canceled":
			return true
		}
		return false
	}
	return true
}

// writeValue stores a written value on the CPE.
func (s *Sim) writeValue(d *device, r nref, v any, now int64) {
	d.setOvr(r, v, now)
}

// addInstance is the CPE's AddObject on a table: a new instance from the
// table's prototype, numbered after the highest it has.
func (s *Sim) addInstance(d *device, table nref, now int64) (nref, *cwmpFault) {
	n := &d.tpl.nodes[table.node]
	if table.inst != 0 || !n.table || n.proto < 0 || !n.w || !s.cpeHas(d, table) {
		return nref{}, cpeFault("9005", "Invalid parameter name", nil)
	}
	x := d.x()
	num := 0
	for _, k := range n.kids {
		if kn := &d.tpl.nodes[k]; !kn.hidden {
			if v, err := strconv.Atoi(kn.name); err == nil {
				num = max(num, v)
			}
		}
	}
	for _, list := range [][]addedInst{x.added, x.gone} {
		for _, a := range list {
			if a.table == table.node {
				num = max(num, a.num)
			}
		}
	}
	x.lastID++
	a := addedInst{table: table.node, num: num + 1, id: x.lastID, ts: now}
	x.added = append(x.added, a)
	return nref{inst: a.id, node: n.proto}, nil
}

// deleteObject is the CPE's DeleteObject of an instance.
func (s *Sim) deleteObject(d *device, path string, now int64) *cwmpFault {
	r, ok := s.resolve(d, path)
	if !ok {
		return cpeFault("9005", "Invalid parameter name", nil)
	}
	x := d.x()
	if r.inst != 0 {
		for i, a := range x.added {
			if a.id == r.inst && r.node == d.tpl.nodes[a.table].proto {
				x.gone = append(x.gone, a)
				x.added = append(x.added[:i:i], x.added[i+1:]...)
				kept := d.ovr[:0]
				for _, o := range d.ovr {
					if o.ref.inst != r.inst {
						kept = append(kept, o)
					}
				}
				d.ovr = kept
				return nil
			}
		}
		return cpeFault("9005", "Invalid parameter name", nil)
	}
	n := &d.tpl.nodes[r.node]
	if !n.inst || !n.w {
		return cpeFault("9005", "Invalid parameter name", nil)
	}
	x.deleted = append(x.deleted, r.node)
	_ = now
	return nil
}
