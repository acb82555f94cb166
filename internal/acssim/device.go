package acssim

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Device flags.
const (
	fOnline       uint32 = 1 << iota
	fRegistered          // a device document exists in the NBI
	fInformed            // the CPE has bootstrapped at least once
	fBusy                // a session holds the device (cwmp_session lock)
	fRebooting           // powered down for a reboot / factory reset / flash
	fInitial             // created by Options.Devices: bootstraps when the Sim starts
	fUnresponsive        // accepts connection requests, never starts a session
	fNoReboot            // test quirk: Reboot/FactoryReset answer CWMP fault 9000
	fRetired             // powers off for good after its first session (Options.RetireRatio)
)

// Pending inform events, sent at the next session.
const (
	evBootstrap uint8 = 1 << iota
	evBoot
	evTransfer
	evDiag
	evMReboot
	evMDownload
)

var eventNames = []struct {
	bit  uint8
	name string
}{
	{evBootstrap, "0 BOOTSTRAP"}, {evBoot, "1 BOOT"}, {evTransfer, "7 TRANSFER COMPLETE"},
	{evDiag, "8 DIAGNOSTICS COMPLETE"}, {evMReboot, "M Reboot"}, {evMDownload, "M Download"},
}

// nref names a parameter of one device: a template node, inside an
// instance added with addObject when inst > 0.
type nref struct {
	inst uint16
	node int32
}

// ovr is a value that differs from the template: written by the ACS or set
// by the device itself (diagnostics results).
type ovr struct {
	ref nref
	ts  int64
	val any
}

// addedInst is an instance created with addObject; its parameters are the
// table's prototype subtree.
type addedInst struct {
	table int32
	num   int
	id    uint16
	ts    int64
}

// dlRecord is the Downloads.1.* document subtree GenieACS keeps for the
// last download task.
type dlRecord struct {
	fileName, fileType, target             string
	download, created, completed, started  int64
	lastFileName, lastFileType, lastTarget string
	lastDownload, transferTS               int64
	count                                  int // Download RPCs received
}

// devExtra holds the rarely used per-device state, allocated on demand so
// that an idle device costs a few hundred bytes.
type devExtra struct {
	added   []addedInst
	gone    []addedInst // added instances the CPE lost (reset, deleted) that the document may still name
	deleted []int32     // template instance nodes removed with deleteObject
	lastID  uint16
	dl      *dlRecord
	mbps    float64 // line rate set by SetLineRate; 0: from the seed
}

// device is one simulated CPE plus its GenieACS document state. Every field
// is guarded by Sim.mu.
type device struct {
	id     string
	serial string
	tpl    *template
	idx    int32 // creation order, seeds per-device values
	pos    int32 // index in Sim.devs (sorted by id)
	seed   uint64
	flags  uint32
	events uint8

	// Unix ms; 0 means the field is absent from the document. rootTS is
	// when GenieACS last listed the root's children.
	registered, lastInform, lastBoot, lastBootstrap, rootTS int64
	// doc is what GenieACS knows of the CPE's parameters (acsdoc.go).
	doc []docEnt

	bootAt  int64 // wall ms of the last power-on (0: never)
	upBase  int64 // device seconds of uptime at bootAt
	informs uint32
	sched   uint32 // scheduler generation

	tags []string // nil: no _tags field
	fw   string   // firmware version installed by a download
	ovr  []ovr
	ext  *devExtra

	// saved is the document as GenieACS last saved it, while a session is
	// under way (nil otherwise): GenieACS writes a device's document once,
	// at the end of its session, so the NBI never shows a session's half
	// (the first rounds' discoveries without the later rounds' values).
	saved *device
}

func (d *device) has(f uint32) bool { return d.flags&f != 0 }

// committed is the device as the NBI sees it: its saved document while a
// session is under way.
func (d *device) committed() *device {
	if d.saved != nil {
		return d.saved
	}
	return d
}

// save keeps the document as it is before a session changes it.
func (d *device) save() {
	v := *d
	v.doc, v.tags, v.saved = slices.Clone(d.doc), slices.Clone(d.tags), nil
	d.saved = &v
}

func (d *device) x() *devExtra {
	if d.ext == nil {
		d.ext = &devExtra{}
	}
	return d.ext
}

// tick is a per-inform hash for health values.
func (d *device) tick(salt uint64) uint64 {
	return hashOf(d.seed, salt*1000003+uint64(d.informs))
}

func (d *device) findOvr(r nref) *ovr {
	for i := range d.ovr {
		if d.ovr[i].ref == r {
			return &d.ovr[i]
		}
	}
	return nil
}

func (d *device) setOvr(r nref, v any, ts int64) {
	if o := d.findOvr(r); o != nil {
		o.val, o.ts = v, ts
		return
	}
	d.ovr = append(d.ovr, ovr{ref: r, ts: ts, val: v})
}

// dropOvr forgets r's override: the CPE holds the template's value again.
func (d *device) dropOvr(r nref) {
	d.ovr = slices.DeleteFunc(d.ovr, func(o ovr) bool { return o.ref == r })
}

// rawValue is what the CPE holds for a leaf, secrets included.
func (s *Sim) rawValue(d *device, r nref) any {
	if o := d.findOvr(r); o != nil {
		return o.val
	}
	if r.inst == 0 && r.node == d.tpl.ids.swVersion && d.fw != "" {
		return d.fw
	}
	n := &d.tpl.nodes[r.node]
	if n.gen != nil {
		num := uint16(0)
		if r.inst != 0 {
			for _, a := range d.ext.added {
				if a.id == r.inst {
					num = uint16(a.num)
				}
			}
		}
		return n.gen(s, d, num)
	}
	return n.def
}

// readValue is what a GetParameterValues returns: secrets read back "".
func (s *Sim) readValue(d *device, r nref) any {
	if d.tpl.nodes[r.node].secret {
		return ""
	}
	return s.rawValue(d, r)
}

// resolve finds a parameter or object path in the device's current tree.
func (s *Sim) resolve(d *device, path string) (nref, bool) {
	path = strings.TrimSuffix(path, ".")
	t := d.tpl
	if i, ok := t.byPath[path]; ok {
		if t.nodes[i].inProto {
			return nref{}, false
		}
		if d.ext != nil {
			for _, del := range d.ext.deleted {
				if del <= i && i < t.nodes[del].end {
					return nref{}, false
				}
			}
		}
		return nref{node: i}, true
	}
	if d.ext == nil {
		return nref{}, false
	}
	return t.resolveAdded(d.ext.added, path)
}

// resolveAdded finds path in instances added to tables: the instance
// itself or a parameter under it.
func (t *template) resolveAdded(list []addedInst, path string) (nref, bool) {
	for _, a := range list {
		prefix := t.nodes[a.table].path + "." + strconv.Itoa(a.num)
		proto := t.nodes[a.table].proto
		if path == prefix {
			return nref{inst: a.id, node: proto}, true
		}
		if rel, ok := strings.CutPrefix(path, prefix+"."); ok {
			if i, ok := t.byPath[t.nodes[proto].path+"."+rel]; ok {
				return nref{inst: a.id, node: i}, true
			}
		}
	}
	return nref{}, false
}

// child is one child of a node as the document shows it.
type child struct {
	name string
	ref  nref
}

// children lists a node's children: template children that were not
// deleted, then instances added with addObject.
func (s *Sim) children(d *device, r nref, buf []child) []child {
	t := d.tpl
	n := &t.nodes[r.node]
	for _, k := range n.kids {
		kn := &t.nodes[k]
		if kn.hidden {
			continue
		}
		if r.inst == 0 && d.ext != nil && len(d.ext.deleted) > 0 && containsInt32(d.ext.deleted, k) {
			continue
		}
		buf = append(buf, child{name: kn.name, ref: nref{inst: r.inst, node: k}})
	}
	if n.table && r.inst == 0 && d.ext != nil {
		start := len(buf)
		for _, a := range d.ext.added {
			if a.table == r.node {
				buf = append(buf, child{name: strconv.Itoa(a.num), ref: nref{inst: a.id, node: n.proto}})
			}
		}
		added := buf[start:]
		sort.Slice(added, func(i, j int) bool { return keyLess(added[i].name, added[j].name) })
	}
	return buf
}

func containsInt32(a []int32, v int32) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

// ---- rendering ----

// proj is a parsed projection: all selects the whole subtree, otherwise
// only the named children.
type proj struct {
	all  bool
	kids map[string]*proj
}

var projAll = &proj{all: true}

// parseProjection parses the comma list GenieACS turns into a Mongo
// projection; redundant paths merge as optimizeProjection does. nil means
// no projection.
func parseProjection(spec string) *proj {
	if spec == "" {
		return nil
	}
	root := &proj{kids: map[string]*proj{}}
	for _, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		cur := root
		for _, seg := range strings.Split(p, ".") {
			if cur.all {
				break
			}
			n := cur.kids[seg]
			if n == nil {
				n = &proj{kids: map[string]*proj{}}
				cur.kids[seg] = n
			}
			cur = n
		}
		cur.all, cur.kids = true, nil
	}
	return root
}

func (p *proj) sub(name string) *proj {
	if p == nil || p.all {
		return projAll
	}
	return p.kids[name]
}

// appendDevice writes the device document, as GenieACS stores it, through
// a projection (nil: everything).
func (s *Sim) appendDevice(b []byte, d *device, p *proj, cb []child) []byte {
	b = append(b, `{"_id":`...)
	b = appendJSString(b, d.id)
	if sp := p.sub(d.tpl.root); sp != nil && len(d.doc) > 0 {
		b = append(b, ',')
		b = appendJSString(b, d.tpl.root)
		b = append(b, ':')
		b = s.appendNode(b, d, nref{}, sp, cb)
	}
	if sp := p.sub("_deviceId"); sp != nil {
		b = append(b, `,"_deviceId":{`...)
		first := true
		for _, f := range [...][2]string{
			{"_Manufacturer", d.tpl.prof.manufacturer}, {"_OUI", d.tpl.prof.oui},
			{"_ProductClass", d.tpl.prof.productClass}, {"_SerialNumber", d.serial},
		} {
			if sp.sub(f[0]) == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSString(b, f[0])
			b = append(b, ':')
			b = appendJSString(b, f[1])
		}
		b = append(b, '}')
	}
	for _, f := range [...]struct {
		name string
		ms   int64
	}{
		{"_lastInform", d.lastInform}, {"_registered", d.registered}, {"_lastBoot", d.lastBoot},
		{"_lastBootstrap", d.lastBootstrap}, {"_timestamp", d.rootTS},
	} {
		if f.ms != 0 && p.sub(f.name) != nil {
			b = append(b, ',')
			b = appendJSString(b, f.name)
			b = append(b, ':')
			b = appendISO(b, msTime(f.ms))
		}
	}
	if d.ext != nil && d.ext.dl != nil {
		if sp := p.sub("Downloads"); sp != nil {
			b = append(b, `,"Downloads":`...)
			b = appendObject(b, projectObject(downloadsObject(d.ext.dl), sp))
		}
	}
	if d.tags != nil && p.sub("_tags") != nil {
		b = append(b, `,"_tags":`...)
		b = appendJSON(b, d.tags)
	}
	return append(b, '}')
}

// appendNode writes one node of the document: a parameter with the value
// GenieACS fetched (if it did) and its writability (if it listed the
// parent); an object with the children the document holds.
func (s *Sim) appendNode(b []byte, d *device, r nref, p *proj, cb []child) []byte {
	n := &d.tpl.nodes[r.node]
	parentListed := s.parentListedRoot(d, r) != 0
	b = append(b, '{')
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	if !n.obj {
		e := d.docGet(r)
		hasVal := e != nil && e.flags&entValue != 0
		if p.sub("_object") != nil {
			sep()
			b = append(b, `"_object":false`...)
		}
		if hasVal {
			if p.sub("_timestamp") != nil {
				sep()
				b = append(b, `"_timestamp":`...)
				b = appendISO(b, msTime(e.ts))
			}
			if p.sub("_type") != nil {
				sep()
				b = append(b, `"_type":`...)
				b = appendJSString(b, xsdNames[e.typ])
			}
			if p.sub("_value") != nil {
				sep()
				b = append(b, `"_value":`...)
				b = appendJSON(b, e.val)
			}
		}
		if parentListed && p.sub("_writable") != nil {
			sep()
			b = append(b, `"_writable":`...)
			b = strconv.AppendBool(b, n.w)
		}
		return append(b, '}')
	}
	start := len(cb)
	kids := s.docChildren(d, r, cb)
	for _, c := range kids[start:] {
		sp := p.sub(c.name)
		if sp == nil {
			continue
		}
		sep()
		b = appendJSString(b, c.name)
		b = append(b, ':')
		b = s.appendNode(b, d, c.ref, sp, kids[len(kids):])
	}
	if p.sub("_object") != nil {
		sep()
		b = append(b, `"_object":true`...)
	}
	if ts := d.listedAt(r); ts != 0 && p.sub("_timestamp") != nil {
		sep()
		b = append(b, `"_timestamp":`...)
		b = appendISO(b, msTime(ts))
	}
	if parentListed && p.sub("_writable") != nil {
		sep()
		b = append(b, `"_writable":`...)
		b = strconv.AppendBool(b, n.w)
	}
	return append(b, '}')
}

// downloadsObject renders Downloads.1 the way GenieACS records a download
// (captures 19 and 19b).
func downloadsObject(dl *dlRecord) *object {
	leaf := func(ts int64, typ string, v any, w bool) *object {
		return &object{keys: []string{"_object", "_timestamp", "_type", "_value", "_writable"},
			vals: []any{false, msTime(ts), typ, v, w}}
	}
	date := func(ms int64) time.Time {
		if ms == 0 {
			return time.Unix(0, 0).UTC()
		}
		return msTime(ms)
	}
	lastTS := dl.created
	if dl.transferTS != 0 {
		lastTS = dl.transferTS
	}
	inst := &object{}
	inst.set("CompleteTime", leaf(lastTS, "xsd:dateTime", date(dl.completed), false))
	inst.set("Download", leaf(dl.created, "xsd:dateTime", date(dl.download), true))
	inst.set("FileName", leaf(dl.created, "xsd:string", dl.fileName, true))
	inst.set("FileType", leaf(dl.created, "xsd:string", dl.fileType, true))
	inst.set("LastDownload", leaf(lastTS, "xsd:dateTime", date(dl.lastDownload), false))
	inst.set("LastFileName", leaf(lastTS, "xsd:string", dl.lastFileName, false))
	inst.set("LastFileType", leaf(lastTS, "xsd:string", dl.lastFileType, false))
	inst.set("LastTargetFileName", leaf(lastTS, "xsd:string", dl.lastTarget, false))
	inst.set("StartTime", leaf(lastTS, "xsd:dateTime", date(dl.started), false))
	inst.set("TargetFileName", leaf(dl.created, "xsd:string", dl.target, true))
	inst.set("_object", true)
	inst.set("_timestamp", msTime(dl.download))
	inst.set("_writable", true)
	return &object{keys: []string{"1", "_object", "_writable"}, vals: []any{inst, true, true}}
}

// projectObject applies a projection to a generic document, as MongoDB
// does for an inclusion projection.
func projectObject(o *object, p *proj) *object {
	if p == nil || p.all {
		return o
	}
	out := &object{}
	for i, k := range o.keys {
		sp := p.kids[k]
		if sp == nil {
			continue
		}
		out.set(k, projectValue(o.vals[i], sp))
	}
	return out
}

func projectValue(v any, p *proj) any {
	if p.all {
		return v
	}
	switch x := v.(type) {
	case *object:
		return projectObject(x, p)
	case []any:
		var out []any
		for _, e := range x {
			if o, ok := e.(*object); ok {
				out = append(out, projectObject(o, p))
			}
		}
		if out == nil {
			out = []any{}
		}
		return out
	}
	return v
}

// ---- query access ----

// existsMarker stands for an object node in a query: it exists but equals
// nothing.
type existsMarker struct{}

// getDevice resolves a dotted path of a device document for the query
// matcher, without building the document.
func (s *Sim) getDevice(d *device, path string) (any, bool) {
	head, rest, _ := strings.Cut(path, ".")
	switch head {
	case "_id":
		if rest != "" {
			return nil, false
		}
		return d.id, true
	case "_deviceId":
		p := d.tpl.prof
		switch rest {
		case "":
			return &object{keys: []string{"_Manufacturer", "_OUI", "_ProductClass", "_SerialNumber"},
				vals: []any{p.manufacturer, p.oui, p.productClass, d.serial}}, true
		case "_Manufacturer":
			return p.manufacturer, true
		case "_OUI":
			return p.oui, true
		case "_ProductClass":
			return p.productClass, true
		case "_SerialNumber":
			return d.serial, true
		}
		return nil, false
	case "_lastInform", "_registered", "_lastBoot", "_lastBootstrap", "_timestamp":
		var ms int64
		switch head {
		case "_lastInform":
			ms = d.lastInform
		case "_registered":
			ms = d.registered
		case "_lastBoot":
			ms = d.lastBoot
		case "_lastBootstrap":
			ms = d.lastBootstrap
		default:
			ms = d.rootTS
		}
		if ms == 0 || rest != "" {
			return nil, false
		}
		return msTime(ms), true
	case "_tags":
		if d.tags == nil {
			return nil, false
		}
		arr := make([]any, len(d.tags))
		for i, t := range d.tags {
			arr[i] = t
		}
		if rest != "" {
			return resolvePath(arr, rest)
		}
		return arr, true
	case "Downloads":
		if d.ext == nil || d.ext.dl == nil {
			return nil, false
		}
		o := downloadsObject(d.ext.dl)
		if rest == "" {
			return o, true
		}
		return resolvePath(o, rest)
	}
	if head != d.tpl.root {
		return nil, false
	}
	nodePath, attr := path, ""
	if i := strings.LastIndexByte(path, '.'); i >= 0 && strings.HasPrefix(path[i+1:], "_") {
		nodePath, attr = path[:i], path[i+1:]
	}
	r, ok := s.docResolve(d, nodePath)
	if !ok || !s.docHasRoot(d, r) {
		return nil, false
	}
	n := &d.tpl.nodes[r.node]
	e := d.docGet(r)
	hasVal := !n.obj && e != nil && e.flags&entValue != 0
	switch attr {
	case "":
		return existsMarker{}, true
	case "_object":
		return n.obj, true
	case "_writable":
		if s.parentListedRoot(d, r) == 0 {
			return nil, false
		}
		return n.w, true
	case "_timestamp":
		if n.obj {
			if ts := d.listedAt(r); ts != 0 {
				return msTime(ts), true
			}
			return nil, false
		}
		if !hasVal {
			return nil, false
		}
		return msTime(e.ts), true
	case "_value":
		if !hasVal {
			return nil, false
		}
		return e.val, true
	case "_type":
		if !hasVal {
			return nil, false
		}
		return xsdNames[e.typ], true
	}
	return nil, false
}
