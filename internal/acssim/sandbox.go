package acssim

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// The provision sandbox: GenieACS runs each provision script in a Node vm
// context (lib/sandbox.ts) with declare, clear, commit, ext, log, args, a
// Date whose now() is the session's timestamp and a Math.random seeded by
// the device id. A script runs from the top after every fetch round:
// reading a declared value is a commit point; the first commit point past
// the rounds done so far stops the run ("COMMIT"), the declarations made
// up to it are processed, and the next run reads that round's data. Reads
// before it see the data of their own round again, so a script takes the
// same path on every run. ext() results are cached per round and argument
// list; an uncached one stops the run, the extension runs, and the script
// runs again.
//
// This sandbox does the same with goja. Scripts are compiled once per
// content; runtimes are pooled. GenieACS gives a run 50 ms of V8 time;
// goja is slower and CI machines are busy, so a run here gets 2 s of wall
// time and a timeout is reported with GenieACS's message.

const scriptTimeout = 2 * time.Second

// scriptResult is one provision run's outcome.
type scriptResult struct {
	decls  []*declaration
	clears []clearReq
	done   bool // ran to its end
	fault  *engineFault
}

// clearReq is a clear(path, timestamp) call.
type clearReq struct {
	path *gpath
	ts   int64
}

// runState is the state of one script run.
type runState struct {
	ss          *session
	revision    int
	maxRevision int
	uncommitted bool
	decls       []*declaration
	clears      []clearReq
	exts        map[string][]string // uncached ext() calls of this run
	extCounter  int
	rng         *arc4
}

// sandbox is a goja runtime with the GenieACS globals installed.
type sandbox struct {
	rt        *goja.Runtime
	st        *runState
	commitObj *goja.Object // thrown to stop a run at a commit point
	extObj    *goja.Object // thrown to run an extension
	errorCtor goja.Constructor
	jsonParse goja.Callable
}

var (
	programsMu sync.Mutex
	programs   = map[string]*goja.Program{}
	sandboxes  = sync.Pool{New: func() any { return newSandbox() }}
)

// compileProvision compiles a script as GenieACS does: wrapped in a
// strict-mode function. Programs are cached by content.
func compileProvision(script string) (*goja.Program, error) {
	programsMu.Lock()
	defer programsMu.Unlock()
	if p, ok := programs[script]; ok {
		return p, nil
	}
	p, err := goja.Compile("", "\"use strict\";(function(){\n"+script+"\n})();", true)
	if err != nil {
		return nil, err
	}
	if len(programs) > 256 {
		clear(programs) // scripts edited over and over: start again
	}
	programs[script] = p
	return p, nil
}

// prelude defines what a provision sees besides the Go functions: the
// ParameterWrapper that declare() returns (its declared attributes, path,
// size and iterator read the document at the current round, committing
// first; an attribute that was not declared reads undefined, as in
// GenieACS), the Date.now(interval, variance) of GenieACS and its seeded
// Math.random. The wrapper's getters live on a prototype: a declare costs
// one small object.
const prelude = `(function (g, access, unpack, attr, decl, now, rand, seed) {
  "use strict";
  const VALUE = 1, WRITABLE = 2, OBJECT = 4;
  function W(path, mask, paths, rev) {
    this.p = path; this.m = mask; this.ps = paths; this.r = rev;
  }
  function load(w) {
    const r = access();
    if (w.r !== r) { w.r = r; w.ps = unpack(w.p, r); }
    return r;
  }
  function get(w, bit, name) {
    if (!(w.m & bit)) return undefined;
    const r = load(w);
    if (!w.ps.length) return undefined;
    return attr(w.ps[0], name, r);
  }
  Object.defineProperties(W.prototype, {
    value: { get: function () { return get(this, VALUE, "value"); } },
    writable: { get: function () { return get(this, WRITABLE, "writable"); } },
    object: { get: function () { return get(this, OBJECT, "object"); } },
    path: { get: function () { load(this); return this.ps.length ? this.ps[0] : undefined; } },
    size: { get: function () { load(this); return this.ps.length ? this.ps.length : undefined; } },
  });
  W.prototype[Symbol.iterator] = function* () {
    const r = load(this);
    for (const p of this.ps) yield new W(p, this.m, [p], r);
  };
  Object.defineProperty(g, "declare", { value: function declare(path, timestamps, values) {
    const r = decl(path, timestamps, values);
    return new W(r[0], r[1], null, -1);
  } });
  Object.defineProperty(Date, "now", { value: function now_(i, v) { return now(i, v); }, writable: true, configurable: true });
  const random = function random() { return rand(); };
  random.seed = function (s) { seed(String(s)); };
  Object.defineProperty(Math, "random", { value: random, writable: true, configurable: true });
})`

func newSandbox() *sandbox {
	rt := goja.New()
	sb := &sandbox{rt: rt, commitObj: rt.NewObject(), extObj: rt.NewObject()}
	sb.errorCtor, _ = goja.AssertConstructor(rt.Get("Error"))
	sb.jsonParse, _ = goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("parse"))
	g := rt.GlobalObject()
	def := func(name string, fn any) {
		_ = g.DefineDataProperty(name, rt.ToValue(fn), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	}
	def("clear", sb.clear)
	def("commit", sb.commit)
	def("ext", sb.ext)
	def("log", sb.log)
	rt.SetTimeSource(func() time.Time {
		if sb.st == nil {
			return time.Now()
		}
		return time.UnixMilli(sb.st.ss.ts)
	})
	fn, err := rt.RunString(prelude)
	if err != nil {
		panic(fmt.Sprintf("acssim: sandbox prelude: %v", err))
	}
	setup, _ := goja.AssertFunction(fn)
	if _, err := setup(goja.Undefined(), g, rt.ToValue(sb.access), rt.ToValue(sb.unpack), rt.ToValue(sb.attr),
		rt.ToValue(sb.declare), rt.ToValue(sb.dateNow), rt.ToValue(sb.random), rt.ToValue(sb.seed)); err != nil {
		panic(fmt.Sprintf("acssim: sandbox prelude: %v", err))
	}
	return sb
}

// throwError throws a JS Error with message msg.
func (sb *sandbox) throwError(msg string) {
	e, err := sb.errorCtor(nil, sb.rt.ToValue(msg))
	if err != nil {
		panic(sb.rt.ToValue(msg))
	}
	panic(e)
}

// runScript runs one provision script once (GenieACS's sandbox.run,
// without the extension re-runs, which the caller does).
func (ss *session) runScript(prog *goja.Program, args []any, startRev, maxRev, extCounter int) (*runState, int, *engineFault) {
	sb := sandboxes.Get().(*sandbox)
	defer sandboxes.Put(sb)
	st := &runState{ss: ss, revision: startRev, maxRevision: maxRev, extCounter: extCounter}
	sb.st = st
	defer func() { sb.st = nil }()
	rt := sb.rt
	g := rt.GlobalObject()
	for _, k := range g.Keys() {
		_ = g.Delete(k)
	}
	jsArgs := make([]any, len(args))
	copy(jsArgs, args)
	_ = g.Set("args", rt.ToValue(exportJS(jsArgs)))

	timer := time.AfterFunc(scriptTimeout, func() { rt.Interrupt("timeout") })
	ss.s.mu.RLock()
	_, err := rt.RunProgram(prog)
	ss.s.mu.RUnlock()
	timer.Stop()
	rt.ClearInterrupt()
	if err == nil {
		return st, 0, nil
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		switch ex.Value() {
		case sb.commitObj:
			return st, 1, nil
		case sb.extObj:
			return st, 2, nil
		}
		return st, -1, errorToFault(rt, ex.Value())
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return st, -1, scriptErrorFault("Error", "Script execution timed out after 50ms", "")
	}
	return st, -1, scriptErrorFault("Error", err.Error(), "")
}

// errorToFault turns a thrown value into a fault as GenieACS does.
func errorToFault(rt *goja.Runtime, v goja.Value) *engineFault {
	o, ok := v.(*goja.Object)
	name := ""
	if ok {
		if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
			name = n.String()
		}
	}
	if name == "" {
		return &engineFault{code: "script", message: v.String()}
	}
	msg := ""
	if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
		msg = m.String()
	}
	stack := ""
	if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
		stack = s.String()
	}
	return scriptErrorFault(name, msg, stack)
}

func scriptErrorFault(name, msg, stack string) *engineFault {
	det := &object{}
	det.set("name", name)
	det.set("message", msg)
	if stack == "" {
		stack = name + ": " + msg
	}
	det.set("stack", stack)
	return &engineFault{code: "script." + name, message: msg, detail: det}
}

// ---- the functions a script calls ----

// commitPoint is GenieACS's commit(): the next round starts here.
func (sb *sandbox) commitPoint() {
	st := sb.st
	st.revision++
	st.uncommitted = false
	switch {
	case st.revision == st.maxRevision+1:
		for _, d := range st.decls {
			d.deferred = false
		}
		panic(sb.commitObj)
	case st.revision > st.maxRevision+1:
		sb.throwError("Declare function should not be called from within a try/catch block")
	}
}

func (sb *sandbox) commit() { sb.commitPoint() }

// access is called before a wrapper reads: it commits pending
// declarations and returns the round to read.
func (sb *sandbox) access(goja.FunctionCall) goja.Value {
	if sb.st.uncommitted {
		sb.commitPoint()
	}
	return sb.rt.ToValue(sb.st.revision)
}

// declare records a declaration and returns [path, attribute names].
func (sb *sandbox) declare(call goja.FunctionCall) goja.Value {
	st := sb.st
	st.uncommitted = true
	p, err := st.ss.parsePath(call.Argument(0).String())
	if err != nil {
		sb.throwError(err.Error())
	}
	dc := &declaration{path: p, pathGet: 1, deferred: true}
	mask := 0
	addAttr := func(a string) {
		switch a {
		case "value":
			mask |= 1
		case "writable":
			mask |= 2
		case "object":
			mask |= 4
		}
	}
	if vo, ok := call.Argument(2).(*goja.Object); ok && !goja.IsNull(call.Argument(2)) {
		for _, k := range vo.Keys() {
			v := vo.Get(k)
			if k == "path" {
				dc.pathSet = pathCount(v.Export())
				continue
			}
			addAttr(k)
			switch k {
			case "value":
				dc.valueGet = max(dc.valueGet, 1)
				val := v.Export()
				if arr, ok := val.([]any); ok {
					sv := &setValue{}
					if len(arr) > 0 {
						sv.v = jsScalar(arr[0])
					}
					if len(arr) > 1 {
						if t, ok := arr[1].(string); ok {
							sv.typ = t
						}
					}
					dc.setValue = sv
				} else {
					dc.setValue = &setValue{v: jsScalar(val)}
				}
			case "writable":
				dc.writGet = max(dc.writGet, 1)
			case "object":
				dc.objGet = max(dc.objGet, 1)
			}
		}
	}
	if to, ok := call.Argument(1).(*goja.Object); ok && !goja.IsNull(call.Argument(1)) {
		for _, k := range to.Keys() {
			f := to.Get(k).ToFloat()
			if !(f >= 1) {
				continue
			}
			ts := int64(f)
			if k == "path" {
				dc.pathGet = ts
				continue
			}
			addAttr(k)
			switch k {
			case "value":
				dc.valueGet = ts
			case "writable":
				dc.writGet = ts
			case "object":
				dc.objGet = ts
			}
		}
	}
	st.decls = append(st.decls, dc)
	return sb.rt.NewArray(p.s, mask)
}

// pathCount reads a declared instance count: n or [min, max].
func pathCount(v any) *[2]int {
	num := func(x any) (int, bool) {
		switch n := x.(type) {
		case int64:
			return int(n), true
		case float64:
			return int(n), true
		}
		return 0, false
	}
	if arr, ok := v.([]any); ok && len(arr) == 2 {
		lo, ok1 := num(arr[0])
		hi, ok2 := num(arr[1])
		if ok1 && ok2 {
			return &[2]int{lo, hi}
		}
		return nil
	}
	if n, ok := num(v); ok {
		return &[2]int{n, n}
	}
	return nil
}

// jsScalar normalises an exported JS value to the engine's scalars.
func jsScalar(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case time.Time:
		return float64(x.UnixMilli())
	}
	return v
}

// exportJS converts engine values to what goja should expose.
func exportJS(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = exportJS(e)
		}
		return out
	case time.Time:
		return float64(x.UnixMilli())
	case *object:
		m := map[string]any{}
		for i, k := range x.keys {
			m[k] = exportJS(x.vals[i])
		}
		return m
	}
	return v
}

// unpack returns the concrete paths a pattern names at a round.
func (sb *sandbox) unpack(call goja.FunctionCall) goja.Value {
	paths := sb.st.ss.readUnpack(call.Argument(0).String(), int(call.Argument(1).ToInteger()))
	out := make([]any, len(paths))
	for i, p := range paths {
		out[i] = p
	}
	return sb.rt.NewArray(out...)
}

// attr returns an attribute of a concrete path at a round.
func (sb *sandbox) attr(call goja.FunctionCall) goja.Value {
	v, ok := sb.st.ss.readAttr(call.Argument(0).String(), call.Argument(1).String(), int(call.Argument(2).ToInteger()))
	if !ok {
		return goja.Undefined()
	}
	return sb.rt.ToValue(exportJS(v))
}

// clear is GenieACS's clear(path, timestamp): applied once, in the run
// that reaches it at the newest round.
func (sb *sandbox) clear(call goja.FunctionCall) goja.Value {
	st := sb.st
	st.uncommitted = true
	p, err := st.ss.parsePath(call.Argument(0).String())
	if err != nil {
		sb.throwError(err.Error())
	}
	if st.revision == st.maxRevision {
		st.clears = append(st.clears, clearReq{path: p, ts: int64(call.Argument(1).ToFloat())})
	}
	return goja.Undefined()
}

// ext calls an extension: a cached result returns at once; otherwise the
// run stops so the extension can run.
func (sb *sandbox) ext(call goja.FunctionCall) goja.Value {
	st := sb.st
	st.extCounter++
	args := make([]string, len(call.Arguments))
	for i, a := range call.Arguments {
		args[i] = a.String()
	}
	key := strconv.Itoa(st.revision) + ": " + string(appendJSON(nil, args))
	if res, ok := st.ss.extCache[key]; ok {
		v, err := sb.jsonParse(goja.Undefined(), sb.rt.ToValue(res))
		if err != nil {
			return goja.Undefined()
		}
		return v
	}
	if st.exts == nil {
		st.exts = map[string][]string{}
	}
	st.exts[key] = args
	panic(sb.extObj)
}

// log writes a script's message once, in the run that reaches it at the
// newest round.
func (sb *sandbox) log(call goja.FunctionCall) goja.Value {
	st := sb.st
	if st.revision == st.maxRevision && st.extCounter >= 0 {
		st.ss.s.log.Info("Script: "+call.Argument(0).String(), "device", st.ss.d.id)
		st.ss.logs = append(st.ss.logs, call.Argument(0).String())
	}
	return goja.Undefined()
}

// dateNow is GenieACS's Date.now(interval, variance): the session's
// timestamp, or the start of the current interval offset per device.
func (sb *sandbox) dateNow(call goja.FunctionCall) goja.Value {
	st := sb.st
	t := st.ss.ts
	iv := call.Argument(0)
	if goja.IsUndefined(iv) || goja.IsNull(iv) {
		return sb.rt.ToValue(t)
	}
	if _, isNum := iv.Export().(int64); !isNum {
		if _, isF := iv.Export().(float64); !isF {
			if _, isStr := iv.Export().(string); isStr {
				sb.throwError("cron expressions in Date.now() are not supported by the simulator")
			}
			sb.throwError("Invalid Date.now() argument")
		}
	}
	interval := iv.ToFloat()
	variance := interval
	if v := call.Argument(1); !goja.IsUndefined(v) && !goja.IsNull(v) {
		variance = v.ToFloat()
	}
	offset := 0.0
	if variance != 0 {
		offset = float64(md532(st.ss.d.id) % uint32(variance))
	}
	res := math.Trunc((float64(t)+offset)/interval)*interval - offset
	return sb.rt.ToValue(res)
}

// md532 is GenieACS's scheduling hash of a device id.
func md532(s string) uint32 {
	sum := md5.Sum([]byte(s))
	return binary.LittleEndian.Uint32(sum[0:]) ^ binary.LittleEndian.Uint32(sum[4:]) ^
		binary.LittleEndian.Uint32(sum[8:]) ^ binary.LittleEndian.Uint32(sum[12:])
}

func (sb *sandbox) random(goja.FunctionCall) goja.Value {
	st := sb.st
	if st.rng == nil {
		st.rng = newARC4(st.ss.d.id)
	}
	return sb.rt.ToValue(st.rng.double())
}

func (sb *sandbox) seed(call goja.FunctionCall) goja.Value {
	sb.st.rng = newARC4(call.Argument(0).String())
	return goja.Undefined()
}

// ---- seedrandom ----

// arc4 is seedrandom's default generator (ARC4 keyed by the seed string),
// so Math.random() gives a device the numbers GenieACS gives it.
type arc4 struct {
	i, j uint8
	s    [256]uint8
}

func newARC4(seed string) *arc4 {
	// mixkey: fold the seed's characters into a key.
	var key []int
	var smear int
	for j := 0; j < len(seed); j++ {
		idx := j & 255
		for len(key) <= idx {
			key = append(key, 0)
		}
		smear ^= key[idx] * 19
		key[idx] = (smear + int(seed[j])) & 255
	}
	if len(key) == 0 {
		key = []int{0}
	}
	a := &arc4{}
	for i := 0; i < 256; i++ {
		a.s[i] = uint8(i)
	}
	var j uint8
	for i := 0; i < 256; i++ {
		t := a.s[i]
		j = j + uint8(key[i%len(key)]) + t
		a.s[i], a.s[j] = a.s[j], t
	}
	a.g(256) // discard the first 256 bytes (RC4-drop[256])
	return a
}

// g returns the next count bytes as a number.
func (a *arc4) g(count int) float64 {
	r := 0.0
	for ; count > 0; count-- {
		a.i++
		t := a.s[a.i]
		a.j += t
		a.s[a.i], a.s[a.j] = a.s[a.j], t
		r = r*256 + float64(a.s[uint8(a.s[a.i]+a.s[a.j])])
	}
	return r
}

func (a *arc4) double() float64 {
	const (
		startdenom   = 281474976710656.0 // 256^6
		significance = 4503599627370496.0
		overflow     = 9007199254740992.0
	)
	n, d, x := a.g(6), startdenom, 0.0
	for n < significance {
		n = (n + x) * 256
		d *= 256
		x = a.g(1)
	}
	for n >= overflow {
		n /= 2
		d /= 2
		x = math.Floor(x / 2) // x >>>= 1
	}
	return (n + x) / d
}

// ---- reads at a round ----

// readKey memoises reads per round, so a re-run reads the same data.
type readKey struct {
	rev  int
	path string
	attr string // "" for an unpack
}

func (ss *session) parsePath(s string) (*gpath, error) {
	if p, ok := ss.paths[s]; ok {
		return p, nil
	}
	p, err := parseGPath(s)
	if err != nil {
		return nil, err
	}
	if ss.paths == nil {
		ss.paths = map[string]*gpath{}
	}
	ss.paths[s] = p
	return p, nil
}

// readUnpack lists the concrete paths a pattern names in the document
// (with s.mu held for reading).
func (ss *session) readUnpack(path string, rev int) []string {
	k := readKey{rev: rev, path: path}
	if v, ok := ss.reads[k]; ok {
		return v.([]string)
	}
	p, err := ss.parsePath(path)
	var out []string
	if err == nil {
		out = ss.unpackDoc(p)
	}
	ss.reads[k] = out
	return out
}

func (ss *session) readAttr(path, name string, rev int) (any, bool) {
	k := readKey{rev: rev, path: path, attr: name}
	if v, ok := ss.reads[k]; ok {
		if v == nil {
			return nil, false
		}
		return v, true
	}
	v, ok := ss.attrDoc(path, name)
	if !ok {
		v = nil
	}
	ss.reads[k] = v
	return v, ok
}

// unpackDoc resolves a pattern against what the document holds, without
// fetching: DeviceID, Events and Tags are the session's; the rest is the
// CPE's data model as GenieACS knows it.
func (ss *session) unpackDoc(p *gpath) []string {
	if len(p.segs) == 0 {
		return nil
	}
	d := ss.d
	match := func(seg gseg, name string) bool { return seg.name == "*" || seg.name == name }
	switch p.segs[0].name {
	case "DeviceID", "Events", "Tags":
		if len(p.segs) != 2 || p.segs[1].isAlias {
			return nil
		}
		var out []string
		for _, v := range ss.virtualParams(p.segs[0].name) {
			if match(p.segs[1], v.name) {
				out = append(out, p.segs[0].name+"."+v.name)
			}
		}
		sortPaths(out)
		return out
	case "Downloads", "Reboot", "FactoryReset", "VirtualParameters":
		return nil
	}
	var f fetchRound
	refs := ss.walkKnown(p, &f)
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, ss.s.docPath(d, r))
	}
	sortPaths(out)
	return out
}

// walkKnown is a walk that asks for nothing: what the document holds now.
func (ss *session) walkKnown(p *gpath, f *fetchRound) []nref {
	return ss.walk(p, 1, f, false)
}

// virtualParam is a DeviceID, Events or Tags parameter of the session.
type virtualParam struct {
	name string
	val  any
	typ  string
	w    bool
}

func (ss *session) virtualParams(root string) []virtualParam {
	d := ss.d
	p := d.tpl.prof
	switch root {
	case "DeviceID":
		return []virtualParam{
			{"ID", d.id, "xsd:string", false}, {"Manufacturer", p.manufacturer, "xsd:string", false},
			{"OUI", p.oui, "xsd:string", false}, {"ProductClass", p.productClass, "xsd:string", false},
			{"SerialNumber", d.serial, "xsd:string", false},
		}
	case "Events":
		var out []virtualParam
		add := func(name string, ms int64) {
			if ms != 0 {
				out = append(out, virtualParam{name, float64(ms), "xsd:dateTime", false})
			}
		}
		add("Inform", d.lastInform)
		add("1_BOOT", d.lastBoot)
		add("0_BOOTSTRAP", d.lastBootstrap)
		add("Registered", d.registered)
		for e := range ss.events {
			if e != "1_BOOT" && e != "0_BOOTSTRAP" {
				add(e, ss.ts)
			}
		}
		return out
	case "Tags":
		out := make([]virtualParam, len(d.tags))
		for i, t := range d.tags {
			out[i] = virtualParam{encodeTag(t), true, "xsd:boolean", true}
		}
		return out
	}
	return nil
}

// attrDoc reads one attribute of a concrete path from the document.
func (ss *session) attrDoc(path, name string) (any, bool) {
	s, d := ss.s, ss.d
	root, rest, _ := strings.Cut(path, ".")
	switch root {
	case "DeviceID", "Events", "Tags":
		for _, v := range ss.virtualParams(root) {
			if v.name != rest {
				continue
			}
			switch name {
			case "value":
				return []any{v.val, v.typ}, true
			case "writable":
				return b01(v.w), true
			case "object":
				return 0.0, true
			}
			return nil, false
		}
		return nil, false
	}
	r, ok := s.docResolve(d, path)
	if !ok || !s.docHasRoot(d, r) {
		return nil, false
	}
	n := &d.tpl.nodes[r.node]
	switch name {
	case "value":
		e := d.docGet(r)
		if n.obj || e == nil || e.flags&entValue == 0 {
			return nil, false
		}
		return []any{e.val, xsdNames[e.typ]}, true
	case "writable":
		if s.parentListedRoot(d, r) == 0 {
			return nil, false
		}
		return b01(n.w), true
	case "object":
		return b01(n.obj), true
	}
	return nil, false
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// sortPaths orders paths as GenieACS's unpack does: numbers numerically.
func sortPaths(ps []string) {
	if len(ps) < 2 {
		return
	}
	less := func(a, b string) bool {
		as, bs := strings.Split(a, "."), strings.Split(b, ".")
		for i := 0; i < len(as) && i < len(bs); i++ {
			if as[i] == bs[i] {
				continue
			}
			ia, e1 := strconv.Atoi(as[i])
			ib, e2 := strconv.Atoi(bs[i])
			if e1 == nil && e2 == nil {
				return ia < ib
			}
			return as[i] < bs[i]
		}
		return len(as) < len(bs)
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
