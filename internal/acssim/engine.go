package acssim

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The declaration engine: what GenieACS's session does with declare()
// calls (lib/session.ts runDeclarations / processDeclarations and the RPC
// generators), rewritten from its behaviour for this simulator's CPEs.
//
// A declaration asks for a path (a pattern: wildcards and aliases allowed)
// to be known no older than pathGet, for attributes (value, writable,
// object) no older than their timestamps, and optionally for a value to be
// set or a number of instances to exist. The engine fetches what the
// document lacks or holds too old (GetParameterNames of the parent,
// GetParameterValues), then sets what differs (SetParameterValues,
// AddObject, DeleteObject, tags), in rounds, until nothing is left to do.
// What a path's parent listing says is absent, GenieACS skips without a
// word; a parameter GenieACS knows as read-only is never written.

// Limits GenieACS applies (lib/config.ts, lib/session.ts).
const (
	maxRPCs             = 255 // per session: too_many_rpcs
	maxCommitIterations = 32  // cwmp.maxCommitIterations: too_many_commits at twice that
	maxDepth            = 16  // MAX_DEPTH, the depth a refresh reaches
	gpvBatch            = 32  // cwmp.gpvBatchSize
	maxCycles           = 4   // preset passes before preset_loop
)

// declaration is one declare() call or one default provision's request.
type declaration struct {
	path     *gpath
	pathGet  int64     // names refreshed if older (>= 1)
	pathSet  *[2]int   // instances wanted (min, max); nil: no count
	valueGet int64     // 0: value not wanted
	writGet  int64     // writability wanted (0: not)
	objGet   int64     // object-ness wanted (0: not)
	setValue *setValue // value to write
	deferred bool      // not at a commit point yet: fetch, but set nothing
}

// setValue is a declared value and its optional type.
type setValue struct {
	v   any
	typ string // "" = the parameter's current type
}

// fetchRound is what a walk found missing.
type fetchRound struct {
	gpn  map[nref]bool // objects whose children must be listed
	deep map[nref]bool // ... with their whole subtree (a refresh)
	root bool          // the root's children must be listed
	gpv  map[nref]bool // parameters whose value must be fetched
}

func (f *fetchRound) empty() bool { return !f.root && len(f.gpn) == 0 && len(f.gpv) == 0 }

// rootRef stands for the document's root ("") in walks.
var rootRef = nref{inst: math.MaxUint16, node: -1}

// kidByName finds the child of parent with the given name in the data
// model the document can name (the template, and added instances).
func (s *Sim) kidByName(d *device, parent nref, name string) (nref, bool) {
	if parent == rootRef {
		if name == d.tpl.root {
			return nref{node: 0}, true
		}
		return nref{}, false
	}
	return s.docResolve(d, s.docPath(d, parent)+"."+name)
}

// walk unpacks p against the document, noting in f what must be fetched
// before the answer is complete (pathGet, and alias key values). It
// returns the concrete nodes found so far.
func (ss *session) walk(p *gpath, pathGet int64, f *fetchRound, deep bool) []nref {
	s, d := ss.s, ss.d
	level := []nref{rootRef}
	var buf []child
	for i, seg := range p.segs {
		var next []nref
		for _, par := range level {
			if par != rootRef && !d.tpl.nodes[par.node].obj {
				continue // a parameter has no children
			}
			listed := d.rootListed()
			if par != rootRef {
				listed = d.listedAt(par)
			}
			need := func() {
				if par == rootRef {
					f.root = true
					return
				}
				if f.gpn == nil {
					f.gpn = map[nref]bool{}
				}
				f.gpn[par] = true
				if deep && allWild(p.segs[i:]) && len(p.segs)-i > 2 {
					if f.deep == nil {
						f.deep = map[nref]bool{}
					}
					f.deep[par] = true
				}
			}
			if !seg.wild() {
				c, ok := s.kidByName(d, par, seg.name)
				switch {
				case ok && s.docHasRoot(d, c) && s.existedAtRoot(d, c) >= pathGet:
					next = append(next, c)
				case listed >= pathGet:
					// The listing is fresh enough and does not have it.
				default:
					need()
				}
				continue
			}
			if listed < pathGet {
				need()
				continue
			}
			buf = buf[:0]
			if par == rootRef {
				buf = append(buf, child{name: d.tpl.root, ref: nref{node: 0}})
			} else {
				buf = s.docChildren(d, par, buf)
			}
			for _, c := range buf {
				if seg.isAlias && !ss.aliasMatch(c.ref, seg.alias, pathGet, f) {
					continue
				}
				next = append(next, c.ref)
			}
		}
		level = next
		if len(level) == 0 {
			break
		}
	}
	if len(p.segs) == 0 {
		return nil
	}
	return level
}

// allWild reports whether every segment is a wildcard: a refresh of an
// object declares its subtree that way, and GenieACS then lists the whole
// subtree at once (GetParameterNames with NextLevel false) instead of one
// level per round.
func allWild(segs []gseg) bool {
	for _, s := range segs {
		if s.name != "*" {
			return false
		}
	}
	return true
}

// docHasRoot and existedAtRoot extend docHas/existedAt to the root object,
// which every document has (its Inform parameters live under it).
func (s *Sim) docHasRoot(d *device, r nref) bool {
	return r == nref{node: 0} || s.docHas(d, r)
}

func (s *Sim) existedAtRoot(d *device, r nref) int64 {
	if r == (nref{node: 0}) {
		return max(d.rootListed(), d.lastInform, s.existedAt(d, r))
	}
	return s.existedAt(d, r)
}

// aliasMatch checks an instance against an alias's key values; keys not
// fetched fresh enough are noted in f and do not match yet.
func (ss *session) aliasMatch(inst nref, keys []aliasKey, ts int64, f *fetchRound) bool {
	s, d := ss.s, ss.d
	base := s.docPath(d, inst)
	for _, k := range keys {
		sub, err := parseGPath(base + "." + k.path.s)
		if err != nil {
			return false
		}
		refs := ss.walk(sub, ts, f, false)
		ok := false
		for _, r := range refs {
			if d.tpl.nodes[r.node].obj {
				continue
			}
			e := d.docGet(r)
			if e == nil || e.flags&entValue == 0 || e.ts < ts {
				if f.gpv == nil {
					f.gpv = map[nref]bool{}
				}
				f.gpv[r] = true
				continue
			}
			if eqJS(sanitizeValue(k.value, xsdNames[e.typ]), e.val) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// attrWants notes what a declaration's attributes need for node r.
func (ss *session) attrWants(dc *declaration, r nref, f *fetchRound) {
	s, d := ss.s, ss.d
	n := &d.tpl.nodes[r.node]
	writ := dc.writGet
	if dc.setValue != nil || dc.pathSet != nil {
		writ = max(writ, 1)
	}
	obj := max(dc.objGet, writ)
	if obj > 0 && s.parentListedRoot(d, r) < obj && s.existedAtRoot(d, r) < obj {
		ss.needParent(r, f)
	}
	if writ > 0 && s.parentListedRoot(d, r) < writ {
		ss.needParent(r, f)
	}
	val := dc.valueGet
	if dc.setValue != nil {
		val = max(val, 1)
	}
	if val > 0 && !n.obj {
		if e := d.docGet(r); e == nil || e.flags&entValue == 0 || e.ts < val {
			if f.gpv == nil {
				f.gpv = map[nref]bool{}
			}
			f.gpv[r] = true
		}
	}
}

func (s *Sim) parentListedRoot(d *device, r nref) int64 {
	if r == (nref{node: 0}) {
		return d.rootListed()
	}
	return s.parentListed(d, r)
}

func (ss *session) needParent(r nref, f *fetchRound) {
	p, ok := ss.s.parentOf(ss.d, r)
	if !ok {
		f.root = true
		return
	}
	if f.gpn == nil {
		f.gpn = map[nref]bool{}
	}
	f.gpn[p] = true
}

// engineFault is a fault that ends a provision group.
type engineFault struct {
	code, message string
	detail        *object
}

func (c *cwmpFault) engine() *engineFault {
	return &engineFault{code: c.code, message: c.message, detail: c.detail}
}

// sync brings the document to what the declarations ask for, talking to
// the CPE; it runs with s.mu held.
func (ss *session) sync(decls []*declaration) *engineFault {
	for {
		// Read phase: fetch until every declaration is satisfied.
		for {
			var f fetchRound
			for _, dc := range decls {
				if len(dc.path.segs) == 0 || virtualRoot(dc.path) {
					continue
				}
				refs := ss.walk(dc.path, dc.pathGet, &f, dc.objGet > 0 && dc.valueGet > 0)
				for _, r := range refs {
					ss.attrWants(dc, r, &f)
				}
				if dc.pathSet != nil {
					ss.instanceWants(dc, &f)
				}
			}
			if f.empty() {
				break
			}
			if ft := ss.fetch(&f); ft != nil {
				return ft
			}
		}
		// Write phase: tags, instances, then values.
		wrote, ft := ss.write(decls)
		if ft != nil {
			return ft
		}
		if !wrote {
			return nil
		}
	}
}

// rpc counts one RPC against the session's limit.
func (ss *session) rpc() *engineFault {
	ss.rpcs++
	if ss.rpcs > maxRPCs {
		return &engineFault{code: "too_many_rpcs", message: "Too many RPC requests"}
	}
	return nil
}

// fetch performs one round of GetParameterNames and GetParameterValues.
func (ss *session) fetch(f *fetchRound) *engineFault {
	s, d, ts := ss.s, ss.d, ss.ts
	if f.root {
		if ft := ss.rpc(); ft != nil {
			return ft
		}
		d.rootTS = ts
		ss.dirty = true
	}
	// Parents before children, so a deep listing covers its descendants.
	objs := make([]nref, 0, len(f.gpn))
	for r := range f.gpn {
		objs = append(objs, r)
	}
	sort.Slice(objs, func(i, j int) bool { return refLess(objs[i], objs[j]) })
	done := map[nref]bool{}
	for _, r := range objs {
		if done[r] {
			continue
		}
		if ft := ss.rpc(); ft != nil {
			return ft
		}
		ss.dirty = true
		if !s.cpeHas(d, r) {
			// CPE fault 9005: GenieACS forgets the path and carries on.
			s.docRemove(d, r)
			continue
		}
		var list func(r nref)
		list = func(r nref) {
			done[r] = true
			var kids []child
			kids = s.children(d, r, kids)
			var members []nref
			if d.tpl.nodes[r.node].table && r.inst == 0 {
				for _, k := range kids {
					members = append(members, k.ref)
				}
			}
			s.docList(d, r, members, ts)
			if f.deep[r] {
				for _, k := range kids {
					if d.tpl.nodes[k.ref.node].obj {
						list(k.ref)
					}
				}
			}
		}
		list(r)
	}
	if len(f.gpv) > 0 {
		params := make([]nref, 0, len(f.gpv))
		for r := range f.gpv {
			params = append(params, r)
		}
		sort.Slice(params, func(i, j int) bool { return refLess(params[i], params[j]) })
		for start := 0; start < len(params); start += gpvBatch {
			batch := params[start:min(start+gpvBatch, len(params))]
			if ft := ss.rpc(); ft != nil {
				return ft
			}
			ss.dirty = true
			missing := false
			for _, r := range batch {
				if !s.cpeHas(d, r) {
					missing = true
				}
			}
			if missing {
				// 9005 for the whole request: GenieACS forgets them all.
				for _, r := range batch {
					s.docRemove(d, r)
				}
				continue
			}
			for _, r := range batch {
				d.docSetValue(r, s.readValue(d, r), uint8(d.tpl.nodes[r.node].typ), ts)
			}
		}
	}
	return nil
}

// cpeHas reports whether the CPE's data model has node r now.
func (s *Sim) cpeHas(d *device, r nref) bool {
	if r.inst != 0 {
		if d.ext == nil {
			return false
		}
		for _, a := range d.ext.added {
			if a.id == r.inst {
				return true
			}
		}
		return false
	}
	if d.tpl.nodes[r.node].inProto {
		return false
	}
	if d.ext != nil {
		for _, del := range d.ext.deleted {
			if del <= r.node && r.node < d.tpl.nodes[del].end {
				return false
			}
		}
	}
	return true
}

// write applies the non-deferred sets: tags, instance counts, values.
func (ss *session) write(decls []*declaration) (bool, *engineFault) {
	s, d := ss.s, ss.d
	wrote := false
	// Tags.
	for _, dc := range decls {
		if dc.deferred || dc.setValue == nil || len(dc.path.segs) != 2 || dc.path.segs[0].name != "Tags" || dc.path.segs[1].wild() {
			continue
		}
		tag, err := decodeTag(dc.path.segs[1].name)
		if err != nil {
			continue
		}
		want, _ := sanitizeValue(dc.setValue.v, "xsd:boolean").(bool)
		have := containsString(d.tags, tag)
		switch {
		case want && !have:
			addTag(d, tag)
			ss.dirty = true
		case !want && have:
			removeTag(d, tag)
			ss.dirty = true
		}
	}
	// Instances.
	for _, dc := range decls {
		if dc.deferred || dc.pathSet == nil {
			continue
		}
		w, ft := ss.instances(dc)
		if ft != nil {
			return false, ft
		}
		if w {
			return true, nil
		}
	}
	// Values: the last declaration of a path wins.
	type pv struct {
		ref nref
		sv  *setValue
	}
	var order []nref
	want := map[nref]*setValue{}
	for _, dc := range decls {
		if dc.deferred || dc.setValue == nil || virtualRoot(dc.path) || len(dc.path.segs) == 0 {
			continue
		}
		var f fetchRound
		for _, r := range ss.walk(dc.path, dc.pathGet, &f, false) {
			if _, ok := want[r]; !ok {
				order = append(order, r)
			}
			want[r] = dc.setValue
		}
	}
	var spv []any
	var refs []nref
	for _, r := range order {
		n := &d.tpl.nodes[r.node]
		e := d.docGet(r)
		if n.obj || e == nil || e.flags&entValue == 0 || s.parentListedRoot(d, r) == 0 || !n.w {
			continue // GenieACS only writes what it knows to be writable
		}
		sv := want[r]
		typ := sv.typ
		if typ == "" {
			typ = xsdNames[e.typ]
		}
		v := sanitizeValue(sv.v, typ)
		if typ == "xsd:dateTime" {
			if ms, ok := v.(float64); ok {
				v = msTime(int64(ms) - int64(ms)%1000)
			}
		}
		if eqJS(v, e.val) && typ == xsdNames[e.typ] {
			continue
		}
		spv = append(spv, []any{s.docPath(d, r), v, typ})
		refs = append(refs, r)
		if len(spv) >= gpvBatch {
			break
		}
	}
	if len(spv) > 0 {
		if ft := ss.rpc(); ft != nil {
			return false, ft
		}
		ss.dirty = true
		if cf := s.setValues(d, spv, ss.ts); cf != nil {
			if cf.code == "cwmp.9005" {
				for _, r := range refs {
					s.docRemove(d, r)
				}
				return true, nil
			}
			return false, cf.engine()
		}
		for i, r := range refs {
			a := spv[i].([]any)
			d.docSetValue(r, a[1], xsdIndex(a[2].(string)), ss.ts)
		}
		wrote = true
	}
	return wrote, nil
}

// instanceWants notes what an instance count needs: the instances' parent
// listed (to count them and know they can be deleted) and the parent's
// writability (to create).
func (ss *session) instanceWants(dc *declaration, f *fetchRound) {
	parent := &gpath{segs: dc.path.segs[:len(dc.path.segs)-1]}
	parent = newGPath(parent.segs)
	for _, p := range ss.walk(parent, dc.pathGet, f, false) {
		if ss.d.listedAt(p) < dc.pathGet {
			if f.gpn == nil {
				f.gpn = map[nref]bool{}
			}
			f.gpn[p] = true
		}
		if ss.s.parentListedRoot(ss.d, p) == 0 {
			ss.needParent(p, f)
		}
	}
}

// instances deletes or creates instances to meet a declared count.
func (ss *session) instances(dc *declaration) (bool, *engineFault) {
	s, d := ss.s, ss.d
	last := dc.path.segs[len(dc.path.segs)-1]
	parentPath := newGPath(dc.path.segs[:len(dc.path.segs)-1])
	var f fetchRound
	for _, par := range ss.walk(parentPath, dc.pathGet, &f, false) {
		var have []nref
		for _, r := range ss.walk(newGPath(append(append([]gseg(nil), parentPath.segs...), last)), dc.pathGet, &f, false) {
			if p, ok := s.parentOf(d, r); ok && p == par {
				have = append(have, r)
			}
		}
		if len(have) > dc.pathSet[1] {
			r := have[len(have)-1]
			if !d.tpl.nodes[r.node].inst && r.inst == 0 || s.parentListed(d, r) == 0 {
				continue
			}
			if ft := ss.rpc(); ft != nil {
				return false, ft
			}
			ss.dirty = true
			if cf := s.deleteObject(d, s.docPath(d, r), ss.ts); cf != nil {
				if cf.code == "cwmp.9005" {
					s.docRemove(d, r)
					return true, nil
				}
				return false, cf.engine()
			}
			s.docRemove(d, r)
			return true, nil
		}
		if len(have) < dc.pathSet[0] {
			n := &d.tpl.nodes[par.node]
			if s.parentListedRoot(d, par) == 0 || !n.w {
				continue
			}
			if ft := ss.rpc(); ft != nil {
				return false, ft
			}
			ss.dirty = true
			o := &object{}
			o.set("objectName", s.docPath(d, par))
			inst, cf := s.addInstance(d, par, ss.ts)
			if cf != nil {
				return false, cf.engine()
			}
			e := d.docPut(inst)
			e.flags |= entObject | entExists
			if e.flags&entListed == 0 {
				e.ts = ss.ts
			}
			if pe := d.docGet(par); pe != nil {
				if members, ok := pe.val.([]nref); ok {
					pe.val = append(members, inst)
				}
			}
			// Alias keys: read them, then set the ones that differ.
			if last.isAlias && len(last.alias) > 0 {
				var vals []any
				base := s.docPath(d, inst)
				for _, k := range last.alias {
					vals = append(vals, []any{base + "." + k.path.s, k.value})
				}
				if ft := ss.rpc(); ft != nil {
					return false, ft
				}
				if cf := s.setValues(d, vals, ss.ts); cf != nil {
					return false, cf.engine()
				}
			}
			return true, nil
		}
	}
	return false, nil
}

// virtualRoot reports paths outside the CPE's data model that the
// engine handles elsewhere or not at all.
func virtualRoot(p *gpath) bool {
	if len(p.segs) == 0 {
		return false
	}
	switch p.segs[0].name {
	case "DeviceID", "Events", "Tags", "Downloads", "Reboot", "FactoryReset", "VirtualParameters":
		return true
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// xsdIndex maps a type name to its xsdNames index (string when unknown).
func xsdIndex(typ string) uint8 {
	for i, n := range xsdNames {
		if n == typ {
			return uint8(i)
		}
	}
	return 0
}

// sanitizeValue converts a value to a type the way GenieACS does before it
// compares or sends it (lib/device.ts sanitizeParameterValue).
func sanitizeValue(v any, typ string) any {
	if v == nil {
		return nil
	}
	switch typ {
	case "xsd:boolean":
		if b, ok := v.(bool); ok {
			return b
		}
		switch jsString(v) {
		case "true", "TRUE", "True", "1":
			return true
		case "false", "FALSE", "False", "0":
			return false
		}
		return jsString(v)
	case "xsd:int", "xsd:unsignedInt":
		if f, ok := v.(float64); ok {
			return f
		}
		if n, ok := jsParseInt(strings.TrimSpace(jsString(v))); ok {
			return float64(n)
		}
		return jsString(v)
	case "xsd:dateTime":
		switch x := v.(type) {
		case float64:
			return x
		case time.Time:
			return float64(x.UnixMilli())
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(jsString(v)), 64); err == nil {
			return f
		}
		if t, err := time.Parse(time.RFC3339Nano, jsString(v)); err == nil {
			return float64(t.UnixMilli())
		}
		return jsString(v)
	}
	return jsString(v)
}

// jsString is String(v) for the scalar values provisions pass.
func jsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return string(appendJSNumber(nil, x))
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case nil:
		return "null"
	}
	return string(appendJSON(nil, v))
}

// eqJS compares two scalar values as === would (dates by instant).
func eqJS(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		a = float64(ta.UnixMilli())
	}
	if tb, ok := b.(time.Time); ok {
		b = float64(tb.UnixMilli())
	}
	return a == b
}
