package acssim

import (
	"sort"
	"strconv"
	"strings"
)

// GenieACS's side of a device: its document. It holds only what an Inform
// carried and what provisions and tasks fetched or set, each with the time
// it was fetched; a value is a snapshot, not the CPE's live value (a CPE
// reset after a fetch still shows the old value until it is fetched again).
//
// Stored per device as a sorted slice of entries keyed by node:
//   - an object whose children GenieACS listed (GetParameterNames) at ts;
//     for a table the entry keeps the instances the listing returned;
//   - an object known to exist on its own (an instance GenieACS created);
//   - a parameter whose value was fetched or set at ts.
//
// The rest is derived: the children of a listed object exist (with their
// writability), and every ancestor of an entry exists. So an idle device's
// document costs a few dozen entries, not its CPE's whole tree.

// Entry flags.
const (
	entObject uint8 = 1 << iota // an object, not a parameter
	entListed                   // object: children listed at ts
	entValue                    // parameter: value fetched or set at ts
	entExists                   // object: known to exist on its own (created by AddObject)
)

// docEnt is one entry of a device's document.
type docEnt struct {
	inst  uint16
	typ   uint8 // parameter: the value's type (xsdNames index)
	flags uint8
	node  int32
	ts    int64 // listing time (object) or value time (parameter), Unix ms
	val   any   // parameter: the value; listed table: []nref of its instances
}

func (e *docEnt) ref() nref { return nref{inst: e.inst, node: e.node} }

func refLess(a, b nref) bool {
	if a.inst != b.inst {
		return a.inst < b.inst
	}
	return a.node < b.node
}

// docFind returns the index of r's entry, or where it would go.
func (d *device) docFind(r nref) (int, bool) {
	i := sort.Search(len(d.doc), func(i int) bool { return !refLess(d.doc[i].ref(), r) })
	return i, i < len(d.doc) && d.doc[i].ref() == r
}

func (d *device) docGet(r nref) *docEnt {
	if i, ok := d.docFind(r); ok {
		return &d.doc[i]
	}
	return nil
}

// docPut returns r's entry, inserting an empty one.
func (d *device) docPut(r nref) *docEnt {
	i, ok := d.docFind(r)
	if !ok {
		d.doc = append(d.doc, docEnt{})
		copy(d.doc[i+1:], d.doc[i:])
		d.doc[i] = docEnt{inst: r.inst, node: r.node}
	}
	return &d.doc[i]
}

// docDrop removes the entries keep rejects.
func (d *device) docDrop(drop func(e *docEnt) bool) bool {
	kept := d.doc[:0]
	for i := range d.doc {
		if !drop(&d.doc[i]) {
			kept = append(kept, d.doc[i])
		}
	}
	changed := len(kept) != len(d.doc)
	clear(d.doc[len(kept):])
	d.doc = kept
	if len(d.doc) == 0 {
		d.doc = nil
	}
	return changed
}

// ---- instances created with AddObject ----

// instRec finds an added instance by id, including one the CPE has since
// lost (a factory reset) that the document may still name.
func (d *device) instRec(id uint16) (addedInst, bool) {
	if d.ext == nil {
		return addedInst{}, false
	}
	for _, a := range d.ext.added {
		if a.id == id {
			return a, true
		}
	}
	for _, a := range d.ext.gone {
		if a.id == id {
			return a, true
		}
	}
	return addedInst{}, false
}

// within reports whether b is a or lies in a's subtree.
func (s *Sim) within(d *device, a, b nref) bool {
	t := d.tpl
	if a.inst != 0 {
		return a.inst == b.inst && a.node <= b.node && b.node < t.nodes[a.node].end
	}
	if b.inst != 0 {
		rec, ok := d.instRec(b.inst)
		if !ok {
			return false
		}
		return a.node <= rec.table && rec.table < t.nodes[a.node].end
	}
	return a.node <= b.node && b.node < t.nodes[a.node].end
}

// parentOf is the object holding r; ok is false for the root object.
func (s *Sim) parentOf(d *device, r nref) (nref, bool) {
	if r.inst != 0 {
		if rec, ok := d.instRec(r.inst); ok && r.node == d.tpl.nodes[rec.table].proto {
			return nref{node: rec.table}, true
		}
	}
	p := d.tpl.nodes[r.node].parent
	if p < 0 {
		return nref{}, false
	}
	return nref{inst: r.inst, node: p}, true
}

// nameOf is r's last path segment.
func (s *Sim) nameOf(d *device, r nref) string {
	if r.inst != 0 {
		if rec, ok := d.instRec(r.inst); ok && r.node == d.tpl.nodes[rec.table].proto {
			return strconv.Itoa(rec.num)
		}
	}
	return d.tpl.nodes[r.node].name
}

// docPath is r's dotted path.
func (s *Sim) docPath(d *device, r nref) string {
	n := &d.tpl.nodes[r.node]
	if r.inst == 0 {
		return n.path
	}
	rec, ok := d.instRec(r.inst)
	if !ok {
		return n.path
	}
	proto := d.tpl.nodes[d.tpl.nodes[rec.table].proto].path
	return d.tpl.nodes[rec.table].path + "." + strconv.Itoa(rec.num) + strings.TrimPrefix(n.path, proto)
}

// docResolve finds the node a concrete path names, whether or not the
// document or the CPE has it (added instances by the document's names).
func (s *Sim) docResolve(d *device, path string) (nref, bool) {
	t := d.tpl
	if i, ok := t.byPath[path]; ok {
		if t.nodes[i].inProto {
			return nref{}, false
		}
		return nref{node: i}, true
	}
	if d.ext == nil {
		return nref{}, false
	}
	if r, ok := t.resolveAdded(d.ext.added, path); ok {
		return r, true
	}
	return t.resolveAdded(d.ext.gone, path)
}

// ---- what the document holds ----

// listedAt is when r's children were listed (0: never).
func (d *device) listedAt(r nref) int64 {
	if e := d.docGet(r); e != nil && e.flags&entListed != 0 {
		return e.ts
	}
	return 0
}

// rootListed is when the root's children were listed (the document's
// top-level _timestamp).
func (d *device) rootListed() int64 { return d.rootTS }

// parentListed is when the object holding r listed its children (0: never);
// for a table, only if r was among the instances listed.
func (s *Sim) parentListed(d *device, r nref) int64 {
	p, ok := s.parentOf(d, r)
	if !ok {
		return d.rootListed()
	}
	e := d.docGet(p)
	if e == nil || e.flags&entListed == 0 {
		return 0
	}
	if d.tpl.nodes[p.node].table {
		members, _ := e.val.([]nref)
		for _, m := range members {
			if m == r {
				return e.ts
			}
		}
		return 0
	}
	return e.ts
}

// docSubtree returns the index range of entries in r's subtree (inst 0
// part) and whether any entry of an added instance lies in it.
func (s *Sim) docSubtreeHas(d *device, r nref, strict bool) bool {
	t := d.tpl
	end := t.nodes[r.node].end
	lo := nref{inst: r.inst, node: r.node}
	if strict {
		lo.node++
	}
	i, _ := d.docFind(lo)
	if i < len(d.doc) && d.doc[i].inst == r.inst && d.doc[i].node < end {
		return true
	}
	if r.inst != 0 {
		return false
	}
	// Added instances under r.
	for j := len(d.doc) - 1; j >= 0 && d.doc[j].inst != 0; j-- {
		if rec, ok := d.instRec(d.doc[j].inst); ok && r.node <= rec.table && rec.table < end {
			return true
		}
	}
	return false
}

// docHas reports whether the document holds r.
func (s *Sim) docHas(d *device, r nref) bool {
	if e := d.docGet(r); e != nil {
		return true
	}
	if d.tpl.nodes[r.node].obj || r.inst != 0 && d.tpl.nodes[r.node].inst {
		if s.docSubtreeHas(d, r, true) {
			return true
		}
	}
	return s.parentListed(d, r) != 0
}

// existedAt is the latest time the document confirmed r exists: its own
// fetch or listing, its parent's listing, or anything fetched beneath it.
func (s *Sim) existedAt(d *device, r nref) int64 {
	ts := s.parentListed(d, r)
	if e := d.docGet(r); e != nil {
		ts = max(ts, e.ts)
	}
	if d.tpl.nodes[r.node].obj {
		for i := range d.doc {
			e := &d.doc[i]
			if e.ts > ts && e.ref() != r && s.within(d, r, e.ref()) {
				ts = e.ts
			}
		}
	}
	return ts
}

// docChildren lists the children of object r the document holds, in the
// order GenieACS documents show them.
func (s *Sim) docChildren(d *device, r nref, buf []child) []child {
	t := d.tpl
	start := len(buf)
	seen := func(c nref) bool {
		for _, x := range buf[start:] {
			if x.ref == c {
				return true
			}
		}
		return false
	}
	add := func(c nref) {
		if !seen(c) {
			buf = append(buf, child{name: s.nameOf(d, c), ref: c})
		}
	}
	n := &t.nodes[r.node]
	if e := d.docGet(r); e != nil && e.flags&entListed != 0 {
		if n.table && r.inst == 0 {
			members, _ := e.val.([]nref)
			for _, m := range members {
				add(m)
			}
		} else {
			for _, k := range n.kids {
				if !t.nodes[k].hidden {
					add(nref{inst: r.inst, node: k})
				}
			}
		}
	}
	for i := range d.doc {
		e := &d.doc[i]
		er := e.ref()
		if er == r || !s.within(d, r, er) {
			continue
		}
		// Walk up to the child of r.
		c := er
		for {
			p, ok := s.parentOf(d, c)
			if !ok {
				break
			}
			if p == r {
				add(c)
				break
			}
			c = p
		}
	}
	kids := buf[start:]
	sort.SliceStable(kids, func(i, j int) bool { return keyLess(kids[i].name, kids[j].name) })
	return buf
}

// ---- recording what a session learnt ----

// docSetValue records a parameter's value as fetched or set at ts.
func (d *device) docSetValue(r nref, v any, typ uint8, ts int64) {
	e := d.docPut(r)
	e.flags = entValue
	e.typ, e.ts, e.val = typ, ts, v
}

// docList records a listing of object r at ts; for a table, the instances
// the CPE returned. Entries of instances that are gone are dropped.
func (s *Sim) docList(d *device, r nref, members []nref, ts int64) {
	if d.tpl.nodes[r.node].table && r.inst == 0 {
		keep := map[nref]bool{}
		for _, m := range members {
			keep[m] = true
		}
		d.docDrop(func(e *docEnt) bool {
			er := e.ref()
			if er == r || !s.within(d, r, er) {
				return false
			}
			for _, m := range members {
				if s.within(d, m, er) {
					return false
				}
			}
			return true
		})
		e := d.docPut(r)
		e.flags = entObject | entListed | e.flags&entExists
		e.ts, e.val = ts, members
		return
	}
	e := d.docPut(r)
	e.flags = entObject | entListed | e.flags&entExists
	e.ts = ts
}

// docRemove drops r and everything beneath it (a DeleteObject, or a path
// the CPE answered 9005 for).
func (s *Sim) docRemove(d *device, r nref) {
	d.docDrop(func(e *docEnt) bool { return s.within(d, r, e.ref()) })
	if p, ok := s.parentOf(d, r); ok {
		if e := d.docGet(p); e != nil {
			if members, ok := e.val.([]nref); ok {
				kept := make([]nref, 0, len(members))
				for _, m := range members {
					if m != r {
						kept = append(kept, m)
					}
				}
				e.val = kept
			}
		}
	}
}

// docClear is GenieACS's clear(path, ts): what it fetched under r (r
// included) before ts is forgotten. r nil clears the whole tree.
func (s *Sim) docClear(d *device, r *nref, ts int64) bool {
	changed := d.docDrop(func(e *docEnt) bool {
		return e.ts < ts && (r == nil || s.within(d, *r, e.ref()))
	})
	if r == nil && d.rootTS != 0 && d.rootTS < ts {
		d.rootTS = 0
		changed = true
	}
	return changed
}
