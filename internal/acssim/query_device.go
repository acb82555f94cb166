package acssim

import (
	"bufio"
	"net/http"
	"sort"
)

// idBounds is the _id range a device query allows, read from its top-level
// conjunction, so keyset paging ({"_id":{"$gt":last}}, sort {"_id":1}) costs
// O(log n + limit) instead of a scan.
type idBounds struct {
	lo, hi         string
	hasLo, hasHi   bool
	loIncl, hiIncl bool
}

func (b *idBounds) lower(v string, incl bool) {
	if !b.hasLo || v > b.lo || (v == b.lo && !incl) {
		b.lo, b.loIncl, b.hasLo = v, incl, true
	}
}

func (b *idBounds) upper(v string, incl bool) {
	if !b.hasHi || v < b.hi || (v == b.hi && !incl) {
		b.hi, b.hiIncl, b.hasHi = v, incl, true
	}
}

// analyzeID narrows b from the query's _id conditions. pure reports that
// the query is nothing but those conditions, so every device in range
// matches.
func analyzeID(q *object, b *idBounds) (pure bool) {
	pure = true
	for i, k := range q.keys {
		v := q.vals[i]
		switch k {
		case "_id":
			switch x := v.(type) {
			case string:
				b.lower(x, true)
				b.upper(x, true)
			case *object:
				if _, ok := isOperatorObject(x); !ok {
					pure = false
					continue
				}
				for j, op := range x.keys {
					sv, isStr := x.vals[j].(string)
					if !isStr {
						pure = false
						continue
					}
					switch op {
					case "$eq":
						b.lower(sv, true)
						b.upper(sv, true)
					case "$gt":
						b.lower(sv, false)
					case "$gte":
						b.lower(sv, true)
					case "$lt":
						b.upper(sv, false)
					case "$lte":
						b.upper(sv, true)
					default:
						pure = false
					}
				}
			default:
				pure = false
			}
		case "$and":
			arr, _ := v.([]any)
			for _, e := range arr {
				eo, ok := e.(*object)
				if !ok || !analyzeID(eo, b) {
					pure = false
				}
			}
		default:
			pure = false
		}
	}
	return pure
}

// span converts bounds to a [lo, hi) range of s.devs.
func (s *Sim) span(b *idBounds) (int, int) {
	n := len(s.devs)
	lo, hi := 0, n
	if b.hasLo {
		lo = sort.Search(n, func(i int) bool {
			if b.loIncl {
				return s.devs[i].id >= b.lo
			}
			return s.devs[i].id > b.lo
		})
	}
	if b.hasHi {
		hi = sort.Search(n, func(i int) bool {
			if b.hiIncl {
				return s.devs[i].id > b.hi
			}
			return s.devs[i].id >= b.hi
		})
	}
	return lo, max(lo, hi)
}

// devGetter adapts a device to the query matcher without allocating per
// device.
type devGetter struct {
	s *Sim
	d *device
}

func (g *devGetter) get(path string) (any, bool) { return g.s.getDevice(g.d, path) }

// queryDevices answers GET|HEAD /devices/.
func (s *Sim) queryDevices(w http.ResponseWriter, qp *queryParams) {
	var b idBounds
	pure := analyzeID(qp.expanded, &b)
	byID, desc := len(qp.sort) == 0, false
	if len(qp.sort) == 1 && qp.sort[0].path == "_id" {
		byID, desc = true, qp.sort[0].dir < 0
	}

	s.mu.RLock()
	lo, hi := s.span(&b)
	dg := &devGetter{s: s}
	g := dg.get
	var matches []*device
	total := 0
	if byID {
		want := func() bool { return qp.limit == 0 || len(matches) < qp.limit }
		if pure {
			total = s.reg.sum(hi) - s.reg.sum(lo)
		}
		skipped := 0
		for n := 0; n < hi-lo; n++ {
			i := lo + n
			if desc {
				i = hi - 1 - n
			}
			d := s.devs[i].committed()
			if !d.has(fRegistered) {
				continue
			}
			if !pure {
				dg.d = d
				if !qp.cond.match(g) {
					continue
				}
				total++
			}
			if qp.head {
				if pure {
					break
				}
				continue
			}
			if skipped < qp.skip {
				skipped++
				continue
			}
			if want() {
				matches = append(matches, d)
			} else if pure {
				break
			}
		}
	} else {
		for i := lo; i < hi; i++ {
			d := s.devs[i].committed()
			if !d.has(fRegistered) {
				continue
			}
			dg.d = d
			if qp.cond.match(g) {
				matches = append(matches, d)
			}
		}
		total = len(matches)
		if !qp.head {
			keys := make([][]any, len(matches))
			for i, d := range matches {
				dg.d = d
				keys[i] = make([]any, len(qp.sort))
				for j, k := range qp.sort {
					v, ok := g(k.path)
					keys[i][j] = sortValue(v, ok, k.dir)
				}
			}
			idx := make([]int, len(matches))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, c int) bool {
				for j, k := range qp.sort {
					if r := compareSort(keys[idx[a]][j], keys[idx[c]][j]); r != 0 {
						return r*k.dir < 0
					}
				}
				return false
			})
			page := window(len(idx), qp.skip, qp.limit)
			sorted := make([]*device, 0, page[1]-page[0])
			for _, i := range idx[page[0]:page[1]] {
				sorted = append(sorted, matches[i])
			}
			matches = sorted
		}
	}
	s.mu.RUnlock()

	writeListHeader(w, total)
	if qp.head {
		return
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.WriteString("[\n")
	var buf []byte
	cb := make([]child, 0, 256)
	const batch = 256
	first := true
	for start := 0; start < len(matches); start += batch {
		end := min(start+batch, len(matches))
		buf = buf[:0]
		s.mu.RLock()
		for _, d := range matches[start:end] {
			if !d.has(fRegistered) {
				continue // deleted meanwhile
			}
			if !first {
				buf = append(buf, ",\n"...)
			}
			first = false
			buf = s.appendDevice(buf, d, qp.proj, cb[:0])
		}
		s.mu.RUnlock()
		_, _ = bw.Write(buf)
	}
	_, _ = bw.WriteString("\n]")
	_ = bw.Flush()
}
