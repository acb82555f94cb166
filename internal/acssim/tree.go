package acssim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// valType is a CWMP parameter type.
type valType uint8

const (
	tString valType = iota
	tBool
	tUint
	tInt
	tULong
	tDate
)

var xsdNames = [...]string{"xsd:string", "xsd:boolean", "xsd:unsignedInt", "xsd:int", "xsd:unsignedLong", "xsd:dateTime", "xsd:base64", "xsd:hexBinary"}

func (t valType) xsd() string { return xsdNames[t] }

// genFunc computes a per-device value: seeded constants (serials, MACs,
// addresses) and health values that move between informs.
type genFunc func(s *Sim, d *device, inst uint16) any

// tnode is one node of a profile's immutable template tree. Nodes are
// numbered in pre-order, so the subtree of node i is the range [i, end).
type tnode struct {
	name    string
	path    string // full dotted path, no trailing dot
	parent  int32
	end     int32
	kids    []int32
	obj     bool // object (or instance) rather than a parameter
	table   bool // multi-instance object: children are instances
	inst    bool // an instance of a table
	hidden  bool // the "{i}" prototype of a table: never rendered
	inProto bool // inside a "{i}" prototype subtree (including the prototype)
	proto   int32
	typ     valType
	w       bool // writable
	secret  bool // reads back as "" (passwords, keys)
	inform  bool // sent in every Inform
	dyn     bool // refreshed at every session
	def     any
	gen     genFunc
	genRaw  string
}

// template is one immutable parameter tree shared by every device of a
// profile variant; devices store only their differences from it.
type template struct {
	prof   *profile
	root   string
	nodes  []tnode
	byPath map[string]int32
	lp     logicalPaths
	ids    logicalIDs
}

// logicalPaths names, per template, the parameters the simulator itself
// reads or writes (identify, reboot, diagnostics).
type logicalPaths struct {
	pppEnable, pppUser, pppPass string
	ssid, key                   [2]string // [0] 2.4 GHz, [1] 5 GHz
	informEnable, informIntv    string
	uptime, swVersion           string
	dlDiag, ulDiag, ping        string    // object paths
	trace                       string    // traceroute object path
	scan                        string    // neighbouring Wi-Fi diagnostic object path
	radioScan                   [2]string // per-radio site survey objects (ZTE), polled: no 8 DIAGNOSTICS COMPLETE
	crURL                       string
}

type logicalIDs struct {
	pppEnable, pppUser, pppPass int32
	ssid, key                   [2]int32
	informEnable, informIntv    int32
	uptime, swVersion           int32
	dlDiag, ulDiag, ping        int32
	trace                       int32
	scan                        int32
	radioScan                   [2]int32
}

// buildTemplate parses a spec: one parameter per line,
//
//	<path> <type> <flags> [value]
//
// type is str, bool, uint, int, ulong, date or obj (for an object path
// ending in "."); flags hold r or w plus i (inform parameter), s (secret,
// reads back "") and h (health value refreshed every session); value is a
// literal or @generator[:arg]. A path segment "{i}" declares a table's
// prototype instance (used by addObject, never rendered).
func buildTemplate(p *profile, root, spec string, lp logicalPaths) (*template, error) {
	type bnode struct {
		name   string
		kids   map[string]*bnode
		order  []string
		leaf   *tnode
		obj    bool
		w      bool
		hidden bool
	}
	newB := func(name string) *bnode { return &bnode{name: name, kids: map[string]*bnode{}, obj: true} }
	top := newB(root)
	for ln, line := range strings.Split(spec, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s line %d: want path type flags", p.name, ln+1)
		}
		path, typ, flags := f[0], f[1], f[2]
		// The value is the rest of the line after three fields, inner
		// spaces kept.
		value := line
		for i := 0; i < 3; i++ {
			value = strings.TrimLeft(value, " \t")
			value = value[strings.IndexAny(value+" ", " \t"):]
		}
		value = strings.TrimSpace(value)
		segs := strings.Split(strings.TrimSuffix(path, "."), ".")
		cur := top
		for _, s := range segs {
			n, ok := cur.kids[s]
			if !ok {
				n = newB(s)
				n.hidden = s == "{i}"
				cur.kids[s] = n
				cur.order = append(cur.order, s)
			}
			cur = n
		}
		if typ == "obj" {
			cur.w = strings.Contains(flags, "w")
			continue
		}
		cur.obj = false
		tn := &tnode{
			w:      strings.Contains(flags, "w"),
			secret: strings.Contains(flags, "s"),
			inform: strings.Contains(flags, "i"),
			dyn:    strings.Contains(flags, "h"),
		}
		switch typ {
		case "str":
			tn.typ = tString
		case "bool":
			tn.typ = tBool
		case "uint":
			tn.typ = tUint
		case "int":
			tn.typ = tInt
		case "ulong":
			tn.typ = tULong
		case "date":
			tn.typ = tDate
		default:
			return nil, fmt.Errorf("%s line %d: unknown type %q", p.name, ln+1, typ)
		}
		if strings.HasPrefix(value, "@") {
			tn.genRaw = value[1:]
		} else {
			v, err := literal(tn.typ, value)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", p.name, ln+1, err)
			}
			tn.def = v
		}
		cur.leaf = tn
	}

	t := &template{prof: p, root: root, byPath: map[string]int32{}, lp: lp}
	var walk func(b *bnode, path string, parent int32, inHidden bool) int32
	walk = func(b *bnode, path string, parent int32, inHidden bool) int32 {
		idx := int32(len(t.nodes))
		var n tnode
		if b.leaf != nil {
			n = *b.leaf
		}
		n.name, n.path, n.parent, n.proto = b.name, path, parent, -1
		n.obj = b.leaf == nil
		n.hidden = b.hidden
		n.inProto = inHidden || b.hidden
		if n.obj {
			n.w = b.w
		}
		isTable := len(b.order) > 0
		for _, k := range b.order {
			if k != "{i}" && !isArrayIndex(k) {
				isTable = false
			}
		}
		n.table = n.obj && isTable
		t.nodes = append(t.nodes, n)
		t.byPath[path] = idx
		names := append([]string(nil), b.order...)
		sort.Slice(names, func(i, j int) bool { return keyLess(names[i], names[j]) })
		var kids []int32
		for _, k := range names {
			kid := walk(b.kids[k], path+"."+k, idx, inHidden || b.hidden)
			kids = append(kids, kid)
		}
		t.nodes[idx].kids = kids
		t.nodes[idx].end = int32(len(t.nodes))
		if t.nodes[idx].table {
			for _, k := range kids {
				t.nodes[k].inst = true
				// Instances of a writable table can be deleted.
				t.nodes[k].w = t.nodes[k].w || t.nodes[idx].w
				if t.nodes[k].hidden {
					t.nodes[idx].proto = k
				} else if t.nodes[idx].proto < 0 {
					t.nodes[idx].proto = k
				}
			}
		}
		return idx
	}
	walk(top, root, -1, false)

	for i := range t.nodes {
		n := &t.nodes[i]
		if n.genRaw == "" {
			continue
		}
		name, arg, _ := strings.Cut(n.genRaw, ":")
		mk, ok := generators[name]
		if !ok {
			return nil, fmt.Errorf("%s: %s: unknown generator @%s", p.name, n.path, name)
		}
		g, err := mk(t, n, arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p.name, n.path, err)
		}
		n.gen = g
	}
	resolve := func(path string, dst *int32) error {
		if path == "" {
			*dst = -1
			return nil
		}
		i, ok := t.byPath[path]
		if !ok {
			return fmt.Errorf("%s: logical path %s not in template", p.name, path)
		}
		*dst = i
		return nil
	}
	ids := &t.ids
	for _, r := range []struct {
		p string
		d *int32
	}{
		{lp.pppEnable, &ids.pppEnable}, {lp.pppUser, &ids.pppUser}, {lp.pppPass, &ids.pppPass},
		{lp.ssid[0], &ids.ssid[0]}, {lp.ssid[1], &ids.ssid[1]}, {lp.key[0], &ids.key[0]}, {lp.key[1], &ids.key[1]},
		{lp.informEnable, &ids.informEnable}, {lp.informIntv, &ids.informIntv},
		{lp.uptime, &ids.uptime}, {lp.swVersion, &ids.swVersion}, {lp.dlDiag, &ids.dlDiag},
		{lp.ulDiag, &ids.ulDiag}, {lp.ping, &ids.ping}, {lp.trace, &ids.trace},
		{lp.scan, &ids.scan}, {lp.radioScan[0], &ids.radioScan[0]}, {lp.radioScan[1], &ids.radioScan[1]},
	} {
		if err := resolve(r.p, r.d); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// keyLess orders children as GenieACS documents show them: instance
// numbers ascending, then names in byte order.
func keyLess(a, b string) bool {
	ia, ib := isArrayIndex(a), isArrayIndex(b)
	switch {
	case ia && ib:
		na, _ := strconv.Atoi(a)
		nb, _ := strconv.Atoi(b)
		return na < nb
	case ia != ib:
		return ia
	}
	return a < b
}

// literal converts a spec literal to the stored JSON value.
func literal(t valType, s string) (any, error) {
	switch t {
	case tBool:
		switch s {
		case "true", "1":
			return true, nil
		case "false", "0", "":
			return false, nil
		}
		return nil, fmt.Errorf("bad boolean %q", s)
	case tUint, tInt, tULong:
		if s == "" {
			return float64(0), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q: %w", s, err)
		}
		return f, nil
	case tDate:
		if s == "" {
			s = "0001-01-01T00:00:00Z"
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("bad dateTime %q: %w", s, err)
		}
		return tm, nil
	}
	return s, nil
}

// coerce converts a value written by setParameterValues to the parameter's
// type the way a CPE validates it; ok is false for an invalid value
// (CWMP fault 9007).
func coerce(t valType, v any) (any, bool) {
	switch t {
	case tString:
		switch x := v.(type) {
		case string:
			return x, true
		case float64:
			return string(appendJSNumber(nil, x)), true
		case bool:
			return strconv.FormatBool(x), true
		}
	case tBool:
		switch x := v.(type) {
		case bool:
			return x, true
		case float64:
			if x == 0 || x == 1 {
				return x == 1, true
			}
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return true, true
			case "false", "0":
				return false, true
			}
		}
	case tUint, tInt, tULong:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case string:
			s := strings.TrimSpace(x)
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, false
			}
			f = float64(n)
		default:
			return nil, false
		}
		if f != float64(int64(f)) {
			return nil, false
		}
		switch t {
		case tUint:
			if f < 0 || f > 4294967295 {
				return nil, false
			}
		case tInt:
			if f < -2147483648 || f > 2147483647 {
				return nil, false
			}
		case tULong:
			if f < 0 {
				return nil, false
			}
		}
		return f, true
	case tDate:
		if t, ok := v.(time.Time); ok {
			return t, true
		}
		if s, ok := v.(string); ok {
			if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return tm, true
			}
		}
	}
	return nil, false
}
