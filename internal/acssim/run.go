package acssim

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// A CWMP session as GenieACS runs it (lib/cwmp.ts): the Inform updates the
// document, then the device's queued tasks run one by one (each as
// provisions on its channel "task_<id>"), then the presets whose events
// and precondition match run together, and again while a pass changed the
// document (at most four passes). Each group of provisions runs to its end
// through the sandbox and the declaration engine; a fault ends the group
// and is filed on its channels.

// session is one CWMP session of one device.
type session struct {
	s      *Sim
	d      *device
	done   []*task // tasks run; deleted at the session's end
	ctx    context.Context
	ts     int64           // the session's timestamp, Unix ms
	events map[string]bool // this Inform's events, spaces as "_"
	rpcs   int
	dirty  bool // the document changed in this pass
	stop   bool // the CPE went down (reboot, reset): the session ends

	// Per session, as GenieACS keeps them (never stored): channels to
	// retry at once, channels that faulted fetching a precondition.
	retryNow     map[string]bool
	precondFault map[string]bool

	// Per provision group.
	extCache map[string]string // "<round>: <args JSON>" -> result JSON
	reads    map[readKey]any
	paths    map[string]*gpath
	logs     []string
}

// provCall is a provision and its arguments.
type provCall []any

func (p provCall) name() string {
	if len(p) == 0 {
		return ""
	}
	s, _ := p[0].(string)
	return s
}

// runGroup runs provisions together to their end: run them, process their
// declarations, and run them again from the top until all ran through.
func (ss *session) runGroup(provs []provCall) *engineFault {
	ss.extCache = map[string]string{}
	ss.reads = map[readKey]any{}
	maxRev := 0
	for iter := 0; ; iter++ {
		if iter >= 2*maxCommitIterations {
			return &engineFault{code: "too_many_commits", message: "Too many commit iterations"}
		}
		var decls []*declaration
		var clears []clearReq
		done := true
		for _, p := range provs {
			r := ss.runProvision(p, maxRev)
			if r.fault != nil {
				return r.fault
			}
			done = done && r.done
			decls = append(decls, r.decls...)
			clears = append(clears, r.clears...)
		}
		for _, dc := range decls {
			if done {
				dc.deferred = false
			}
			// Timestamps past the session's are the session's.
			dc.pathGet = min(dc.pathGet, ss.ts)
			dc.valueGet = min(dc.valueGet, ss.ts)
			dc.writGet = min(dc.writGet, ss.ts)
			dc.objGet = min(dc.objGet, ss.ts)
		}
		ss.s.mu.Lock()
		for _, c := range clears {
			ss.applyClear(c)
		}
		f := ss.sync(decls)
		ss.s.mu.Unlock()
		if f != nil {
			return f
		}
		if done || ss.stop {
			return nil
		}
		maxRev++
	}
}

// applyClear forgets what was fetched under a path before its timestamp.
func (ss *session) applyClear(c clearReq) {
	ts := min(c.ts, ss.ts)
	if len(c.path.segs) == 0 {
		if ss.s.docClear(ss.d, nil, ts) {
			ss.dirty = true
		}
		return
	}
	if virtualRoot(c.path) {
		return
	}
	var f fetchRound
	for _, r := range ss.walkKnown(c.path, &f) {
		if ss.s.docClear(ss.d, &r, ts) {
			ss.dirty = true
		}
	}
}

// runProvision runs one provision once: a stored script (re-run after its
// extensions ran), or one of GenieACS's built-in provisions.
func (ss *session) runProvision(p provCall, maxRev int) scriptResult {
	name := p.name()
	ss.s.mu.RLock()
	doc := ss.s.colls["provisions"].get(name)
	script := ""
	if doc != nil {
		script = doc.str("script")
	}
	ss.s.mu.RUnlock()
	if doc == nil {
		return ss.builtin(p, maxRev)
	}
	prog, err := compileProvision(script)
	if err != nil {
		return scriptResult{fault: scriptErrorFault("SyntaxError", err.Error(), "")}
	}
	extCounter := 0
	for {
		st, status, f := ss.runScript(prog, []any(p[1:]), 0, maxRev, extCounter)
		if f != nil {
			return scriptResult{fault: f}
		}
		if len(st.exts) > 0 {
			keys := make([]string, 0, len(st.exts))
			for k := range st.exts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var fault *engineFault
			for _, k := range keys {
				res := ss.s.ext.call(st.exts[k])
				if res.fault != nil {
					fault = res.fault
					continue
				}
				ss.extCache[k] = res.json
			}
			if fault != nil {
				return scriptResult{fault: fault}
			}
		}
		if status == 2 {
			extCounter -= st.extCounter
			continue
		}
		return scriptResult{decls: st.decls, clears: st.clears, done: status == 0}
	}
}

// builtin runs GenieACS's default provisions (lib/default-provisions.ts);
// an unknown name is skipped, as GenieACS does.
func (ss *session) builtin(p provCall, maxRev int) scriptResult {
	name := p.name()
	bad := func(msg string) scriptResult {
		det := &object{}
		det.set("name", "Error")
		det.set("message", msg)
		det.set("stack", "Error: "+msg+"\n    at "+name)
		return scriptResult{fault: &engineFault{code: "script.Error", message: msg, detail: det}}
	}
	str := func(i int) (string, bool) {
		if i >= len(p) {
			return "", false
		}
		s, ok := p[i].(string)
		return s, ok
	}
	parse := func(s string) (*gpath, bool) {
		gp, err := ss.parsePath(s)
		return gp, err == nil
	}
	switch name {
	case "refresh":
		path, ok := str(1)
		if !ok || len(p) > 3 && p[3] != nil {
			return bad("Invalid arguments")
		}
		every := int64(1000)
		if len(p) > 2 {
			if n, ok := p[2].(float64); ok && n > 0 {
				every = int64(n * 1000)
			} else if !ok {
				return bad("Invalid arguments")
			}
		}
		offset := int64(md532(ss.d.id) % uint32(every))
		t := (ss.ts+offset)/every*every - offset
		gp, ok := parse(path)
		if !ok {
			return bad(errInvalidPath.Error())
		}
		segs := append([]gseg(nil), gp.segs...)
		var decls []*declaration
		for l := len(gp.segs); l <= maxDepth; l++ {
			decls = append(decls, &declaration{path: newGPath(append([]gseg(nil), segs[:l]...)), pathGet: t,
				objGet: 1, writGet: 1, valueGet: t, deferred: true})
			segs = append(segs, gseg{name: "*"})
		}
		return scriptResult{decls: decls, done: true}
	case "value":
		if len(p) < 3 || len(p) > 4 {
			return bad("Invalid arguments")
		}
		path, ok := str(1)
		if !ok {
			return bad("Invalid arguments")
		}
		val := p[2]
		if len(p) == 4 {
			if attr, _ := str(2); attr != "" && attr != "value" {
				return scriptResult{done: true} // attributes other than value: not simulated
			}
			val = p[3]
		}
		gp, ok := parse(path)
		if !ok {
			return bad(errInvalidPath.Error())
		}
		return scriptResult{done: true, decls: []*declaration{{path: gp, pathGet: 1, valueGet: 1,
			setValue: &setValue{v: val}, deferred: true}}}
	case "tag":
		tag, ok := str(1)
		b, isBool := func() (bool, bool) {
			if len(p) != 3 {
				return false, false
			}
			v, ok := p[2].(bool)
			return v, ok
		}()
		if !ok || !isBool {
			return bad("Invalid arguments")
		}
		gp, pok := parse("Tags." + tag)
		if !pok {
			return bad(errInvalidPath.Error())
		}
		return scriptResult{done: true, decls: []*declaration{{path: gp, pathGet: 1, valueGet: 1,
			setValue: &setValue{v: b}, deferred: true}}}
	case "instances":
		path, ok := str(1)
		if !ok || len(p) != 3 {
			return bad("Invalid arguments")
		}
		gp, pok := parse(path)
		if !pok {
			return bad(errInvalidPath.Error())
		}
		if len(gp.segs) == 0 {
			return bad("Invalid arguments")
		}
		rel, isRel := p[2].(string)
		if isRel && (strings.HasPrefix(rel, "+") || strings.HasPrefix(rel, "-")) {
			n, _ := jsNumber(rel)
			delta, okn := n.(float64)
			if !okn || delta != delta {
				return bad("Invalid arguments")
			}
			if maxRev == 0 {
				return scriptResult{done: false, decls: []*declaration{{path: gp, pathGet: 1, deferred: true}}}
			}
			var f fetchRound
			ss.s.mu.RLock()
			have := len(ss.walkKnown(gp, &f))
			ss.s.mu.RUnlock()
			count := max(0, have+int(delta))
			return scriptResult{done: true, decls: []*declaration{{path: gp, pathGet: 1, pathSet: &[2]int{count, count}, deferred: true}}}
		}
		n, _ := jsNumber(p[2])
		count, okn := n.(float64)
		if !okn || count != count {
			return bad("Invalid arguments")
		}
		return scriptResult{done: true, decls: []*declaration{{path: gp, pathGet: 1, pathSet: &[2]int{int(count), int(count)}, deferred: true}}}
	}
	return scriptResult{done: true}
}

// ---- tasks ----

// taskCalls is a task as provisions (lib/cwmp.ts nextRpc), as its fault
// records them; reboot, factory reset and download are run by the session
// itself (execAction).
func taskCalls(t *task) []provCall {
	o := t.doc
	var calls []provCall
	switch t.name {
	case "getParameterValues":
		names, _ := mustGet(o, "parameterNames").([]any)
		for _, n := range names {
			calls = append(calls, provCall{"refresh", n})
		}
	case "setParameterValues":
		vals, _ := mustGet(o, "parameterValues").([]any)
		for _, v := range vals {
			a := v.([]any)
			calls = append(calls, provCall{"value", a[0], a[1]})
		}
	case "refreshObject":
		calls = append(calls, provCall{"refresh", mustGet(o, "objectName")})
	case "reboot":
		calls = append(calls, provCall{"reboot"})
	case "factoryReset":
		calls = append(calls, provCall{"reset"})
	case "download":
		file := mustGet(o, "file")
		if !truthy(file) {
			file = mustGet(o, "fileName")
		}
		target := mustGet(o, "targetFileName")
		if !truthy(target) {
			target = ""
		}
		calls = append(calls, provCall{"download", mustGet(o, "fileType"), file, target})
	case "addObject":
		var parts []string
		if pv, ok := mustGet(o, "parameterValues").([]any); ok {
			for _, x := range pv {
				a := x.([]any)
				parts = append(parts, jsString(a[0])+":"+string(appendJSON(nil, a[1])))
			}
		}
		calls = append(calls, provCall{"instances", o.str("objectName") + ".[" + strings.Join(parts, ",") + "]", "+1"})
	case "deleteObject":
		calls = append(calls, provCall{"instances", mustGet(o, "objectName"), float64(0)})
	case "provisions":
		arr, _ := mustGet(o, "provisions").([]any)
		for _, x := range arr {
			if a, ok := x.([]any); ok {
				calls = append(calls, provCall(a))
			}
		}
	}
	return calls
}

// runTasks runs the device's queued tasks in order.
func (ss *session) runTasks() {
	s, d := ss.s, ss.d
	s.mu.Lock()
	pending := append([]*task(nil), s.tasks.byDev[d.id]...)
	s.mu.Unlock()
	sortTasks(pending)
	for _, t := range pending {
		if ss.stop {
			return
		}
		fid := d.id + ":task_" + string(t.id)
		s.mu.Lock()
		switch {
		case t.deleted:
			s.mu.Unlock()
			continue
		case t.expiry != 0 && t.expiry < ss.ts:
			s.tasks.remove(t)
			s.faults.del(fid)
			s.mu.Unlock()
			continue
		}
		if f := s.faults.get(fid); f != nil && ss.ts < f.ts+s.retryDelay(f.retries).Milliseconds() {
			s.mu.Unlock()
			continue
		}
		s.mu.Unlock()

		var fault *engineFault
		switch t.name {
		case "reboot", "factoryReset", "download":
			s.mu.Lock()
			cf, stop := s.execAction(d, t, ss.ts)
			s.mu.Unlock()
			if cf != nil {
				fault = cf.engine()
			}
			ss.stop = stop
		default:
			fault = ss.runGroup(taskCalls(t))
		}
		s.mu.Lock()
		if fault != nil {
			s.faults.put(fault2{fault}.doc(fid, d.id, "task_"+string(t.id), ss.ts, string(appendJSON(nil, callsJSON(taskCalls(t))))))
		} else {
			// Removed when the session ends, with the document's save, as
			// GenieACS does: never "task gone" beside a document that
			// does not show what it did yet.
			ss.done = append(ss.done, t)
			s.faults.del(fid)
		}
		s.mu.Unlock()
	}
}

// fault2 adapts an engine fault to a stored fault.
type fault2 struct{ f *engineFault }

func (x fault2) doc(id, device, channel string, ts int64, provisions string) *fault {
	return &fault{id: id, device: device, channel: channel, ts: ts, code: x.f.code, message: x.f.message,
		detail: x.f.detail, provisions: provisions}
}

// execAction runs reboot, factoryReset and download tasks (s.mu held);
// stop means the CPE goes down.
func (s *Sim) execAction(d *device, t *task, now int64) (*cwmpFault, bool) {
	switch t.name {
	case "reboot":
		if d.has(fNoReboot) {
			return cpeFault("9000", "Method not supported", nil), false
		}
		s.powerCycle(d, evBoot|evMReboot, false)
		return nil, true
	case "factoryReset":
		if d.has(fNoReboot) {
			return cpeFault("9000", "Method not supported", nil), false
		}
		s.powerCycle(d, evBootstrap|evBoot, true)
		return nil, true
	case "download":
		return s.startDownload(d, t, now), false
	}
	return nil, false
}

// ---- presets ----

// applyPresets runs the presets as GenieACS's applyPresets does, pass after
// pass:
//   - a faulted channel whose retry is due (RETRY_DELAY × 2^retries after
//     its fault, or at once when it faulted together with other channels
//     for the first time) runs on its own: the provisions it faulted with
//     plus its presets that match now, whatever this session's events (a
//     bootstrap provision that failed is retried at a later periodic
//     inform); such a pass does not count as a cycle;
//   - otherwise the matching presets of every channel run together, except
//     faulted channels: one that faulted fetching a precondition's
//     parameters in this session is left out, the others' provisions are
//     added to their fault to run at the retry;
//   - a fault is filed on every channel of the pass, which ends the pass;
//   - passes repeat while a pass changed the document, at most four.
func (ss *session) applyPresets() {
	s, d := ss.s, ss.d
	cycles := 0
	for !ss.stop {
		var white *fault
		black := map[string]int{} // 1: skip; 2: add provisions to the fault
		s.mu.Lock()
		for _, f := range s.faults.list {
			if f.device != d.id || strings.HasPrefix(f.channel, "task_") || f.raw != nil {
				continue
			}
			// A compressed clock may make the delay zero: a fault filed in
			// this session still waits for the next one.
			due := f.ts < ss.ts && ss.ts >= f.ts+s.retryDelay(f.retries).Milliseconds()
			if ss.retryNow[f.channel] || due {
				cp := *f
				white = &cp
				break
			}
			black[f.channel] = 2
			if ss.precondFault[f.channel] {
				black[f.channel] = 1
			}
		}
		presets := s.loadPresets()
		s.mu.Unlock()
		if white == nil {
			cycles++
		}

		var filtered []*preset
		var params []string
		for _, p := range presets {
			if white != nil && p.channel != white.channel || white == nil && black[p.channel] == 1 {
				continue
			}
			if p.invalid != "" || !p.eventsMatch(ss.events) {
				continue
			}
			filtered = append(filtered, p)
			params = exprParams(p.cond, params)
		}
		ss.dirty = false
		if len(params) > 0 {
			var decls []*declaration
			for _, name := range params {
				if gp, err := ss.parsePath(presetParamPath(name)); err == nil {
					decls = append(decls, &declaration{path: gp, pathGet: 1, valueGet: 1})
				}
			}
			s.mu.Lock()
			f := ss.sync(decls)
			s.mu.Unlock()
			if f != nil {
				var chans []chanProvs
				for _, p := range filtered {
					chans = addChan(chans, p.channel, nil)
				}
				ss.recordFault(chans, f, true)
				continue
			}
		}

		var chans []chanProvs
		if white != nil {
			chans = addChan(chans, white.channel, parseProvisions(white.provisions))
		}
		appendToFault := map[string][]provCall{}
		s.mu.RLock()
		for _, p := range filtered {
			if !truthy(evalExpr(p.cond, ss.presetParam, ss.ts)) {
				continue
			}
			provs := make([]provCall, len(p.provisions))
			for i, c := range p.provisions {
				provs[i] = provCall(c)
			}
			if white == nil && black[p.channel] == 2 {
				appendToFault[p.channel] = append(appendToFault[p.channel], provs...)
				continue
			}
			chans = addChan(chans, p.channel, provs)
		}
		s.mu.RUnlock()
		if len(appendToFault) > 0 {
			s.mu.Lock()
			for ch, provs := range appendToFault {
				if f := s.faults.get(d.id + ":" + ch); f != nil {
					f.provisions = string(appendJSON(nil, callsJSON(appendProvisions(parseProvisions(f.provisions), provs))))
				}
			}
			s.mu.Unlock()
		}

		if white == nil && cycles > maxCycles {
			if len(chans) > 0 {
				ss.recordFault(chans, &engineFault{code: "preset_loop", message: "The presets are stuck in an endless configuration loop"}, false)
			}
			clear(ss.retryNow)
			return
		}

		var calls []provCall
		for _, c := range chans {
			calls = appendProvisions(calls, c.provs)
		}
		if len(calls) > 0 {
			if f := ss.runGroup(calls); f != nil {
				ss.recordFault(chans, f, false)
				continue
			}
		}
		s.mu.Lock()
		for _, c := range chans {
			if s.faults.del(d.id + ":" + c.channel) {
				delete(ss.retryNow, c.channel)
			}
		}
		s.mu.Unlock()
		if white == nil && !ss.dirty {
			return
		}
	}
}

// chanProvs is a channel of a pass and its provisions.
type chanProvs struct {
	channel string
	provs   []provCall
}

func addChan(chans []chanProvs, channel string, provs []provCall) []chanProvs {
	for i := range chans {
		if chans[i].channel == channel {
			chans[i].provs = append(chans[i].provs, provs...)
			return chans
		}
	}
	return append(chans, chanProvs{channel, provs})
}

// parseProvisions reads a fault's stored provisions.
func parseProvisions(src string) []provCall {
	var out []provCall
	if v, err := parseJSON([]byte(src)); err == nil {
		arr, _ := v.([]any)
		for _, x := range arr {
			if c, ok := x.([]any); ok {
				out = append(out, provCall(c))
			}
		}
	}
	return out
}

// appendProvisions adds provisions to a list as GenieACS does: one that is
// already there moves to its place among the new ones; none is doubled.
func appendProvisions(list, add []provCall) []provCall {
	key := func(c provCall) string { return string(appendJSON(nil, []any(c))) }
	adding := map[string]bool{}
	var fresh []provCall
	for _, c := range add {
		if k := key(c); !adding[k] {
			adding[k] = true
			fresh = append(fresh, c)
		}
	}
	out := make([]provCall, 0, len(list)+len(fresh))
	for _, c := range list {
		if !adding[key(c)] {
			out = append(out, c)
		}
	}
	return append(out, fresh...)
}

func callsJSON(calls []provCall) []any {
	out := make([]any, len(calls))
	for i, c := range calls {
		out[i] = []any(c)
	}
	return out
}

// presetParamPath maps the short names preconditions may use.
func presetParamPath(name string) string {
	switch name {
	case "id":
		return "DeviceID.ID"
	case "serialNumber":
		return "DeviceID.SerialNumber"
	case "productClass":
		return "DeviceID.ProductClass"
	case "oui":
		return "DeviceID.OUI"
	}
	return name
}

// presetParam is a parameter's value for a precondition (nil: NULL).
func (ss *session) presetParam(name string) any {
	v, ok := ss.attrDoc(presetParamPath(name), "value")
	if !ok {
		return nil
	}
	a := v.([]any)
	if t, ok := a[0].(time.Time); ok {
		return float64(t.UnixMilli())
	}
	return a[0]
}

// recordFault files a fault on every channel of a pass, each with its
// provisions added to those it faulted with before. A channel faulting for
// the first time together with others is retried on its own at once, so
// each channel ends up with its own fault; precondition marks a fault met
// fetching a precondition's parameters (the channel sits out the session).
func (ss *session) recordFault(chans []chanProvs, f *engineFault, precondition bool) {
	s, d := ss.s, ss.d
	names := make([]string, len(chans))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range chans {
		names[i] = c.channel
		id := d.id + ":" + c.channel
		provs := c.provs
		delete(ss.retryNow, c.channel)
		if old := s.faults.get(id); old != nil {
			provs = appendProvisions(parseProvisions(old.provisions), provs)
		} else if len(chans) > 1 {
			ss.retryNow[c.channel] = true
		}
		if precondition {
			ss.precondFault[c.channel] = true
		}
		if provs == nil {
			provs = []provCall{}
		}
		s.faults.put(fault2{f}.doc(id, d.id, c.channel, ss.ts, string(appendJSON(nil, callsJSON(provs)))))
	}
	s.log.Warn("channel has faulted", "device", d.id, "channels", names, "code", f.code, "message", f.message)
}

// ---- the Inform ----

// inform records what the Inform carried: its parameters' values.
func (ss *session) inform() {
	s, d := ss.s, ss.d
	for i := range d.tpl.nodes {
		n := &d.tpl.nodes[i]
		if !n.inform || n.inProto || !s.cpeHas(d, nref{node: int32(i)}) {
			continue
		}
		r := nref{node: int32(i)}
		d.docSetValue(r, s.readValue(d, r), uint8(n.typ), ss.ts)
	}
}

// eventSet turns event bits and codes into the set presets match on.
func eventSet(codes []string, bits uint8) map[string]bool {
	out := map[string]bool{}
	for _, c := range codes {
		for _, one := range strings.Split(c, ",") {
			if one = strings.TrimSpace(one); one != "" {
				out[strings.Join(strings.Fields(one), "_")] = true
			}
		}
	}
	for _, e := range eventNames {
		if bits&e.bit != 0 {
			out[strings.Join(strings.Fields(e.name), "_")] = true
		}
	}
	return out
}

// String names a session for logs.
func (ss *session) String() string { return fmt.Sprintf("session %s@%d", ss.d.id, ss.ts) }
