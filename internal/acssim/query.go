package acssim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// errCrash marks an error the real NBI does not catch: the worker dies and
// the client gets no response (see Sim.drop).
type errCrash struct{ err error }

func (e errCrash) Error() string { return e.err.Error() }
func (e errCrash) Unwrap() error { return e.err }

func crash(format string, args ...any) error { return errCrash{fmt.Errorf(format, args...)} }

// invalidDate is `new Date(x)` that came out as Invalid Date: it equals
// nothing.
type invalidDate struct{}

// getter resolves a dotted path in one document.
type getter func(path string) (any, bool)

// cond is a compiled MongoDB query.
type cond interface{ match(g getter) bool }

type andCond []cond
type orCond []cond
type norCond []cond

func (c andCond) match(g getter) bool {
	for _, x := range c {
		if !x.match(g) {
			return false
		}
	}
	return true
}

func (c orCond) match(g getter) bool {
	for _, x := range c {
		if x.match(g) {
			return true
		}
	}
	return false
}

func (c norCond) match(g getter) bool { return !orCond(c).match(g) }

// fieldCond holds the operators applied to one path (all must hold).
type fieldCond struct {
	path  string
	preds []pred
}

type pred struct {
	op   string
	val  any
	list []any
	re   *regexp.Regexp
	not  []pred
	sub  cond
	num  float64
	rem  float64
	flag bool
}

func (c *fieldCond) match(g getter) bool {
	v, ok := g(c.path)
	for i := range c.preds {
		if !c.preds[i].eval(v, ok) {
			return false
		}
	}
	return true
}

// ---- lib/query.ts expand (device queries) ----

var expandOps = map[string]bool{"$eq": true, "$gt": true, "$gte": true, "$in": true, "$lt": true, "$lte": true, "$ne": true, "$nin": true}

var slashRegex = regexp.MustCompile(`^/(.*?)/(g?i?m?y?)$`)

// normalize turns a query string into its candidate values: the string,
// a regex for "/re/flags", a number, a Date, and a wildcard regex.
func normalize(input any) ([]any, error) {
	s, ok := input.(string)
	if !ok {
		return []any{input}, nil
	}
	vals := []any{s}
	if !strings.ContainsAny(s, "\n\r\u2028\u2029") {
		if m := slashRegex.FindStringSubmatch(s); m != nil {
			re, err := jsRegExp(m[1], m[2])
			if err != nil {
				return nil, crash("SyntaxError: Invalid regular expression: /%s/: %w", m[1], err)
			}
			vals = append(vals, &object{keys: []string{"$regex"}, vals: []any{re}})
		}
	}
	if n := jsToNumber(s); !math.IsNaN(n) && n == jsParseFloat(s) {
		vals = append(vals, n)
	}
	if t, ok := jsDate(s); ok && len([]rune(s)) >= 8 && t.In(time.Local).Year() > 1983 {
		vals = append(vals, t)
	}
	if strings.Contains(s, "*") {
		re, err := wildcardRegExp(s)
		if err != nil {
			return nil, crash("SyntaxError: Invalid regular expression: %w", err)
		}
		vals = append(vals, &object{keys: []string{"$regex"}, vals: []any{re}})
	}
	return vals, nil
}

// wildcardRegExp is GenieACS's stringToRegexp, bugs included: only the
// first special character is escaped and only the first inner "*" becomes
// ".*".
func wildcardRegExp(input string) (*regexp.Regexp, error) {
	out := input
	if i := strings.IndexAny(out, `[]\^$.|?+()`); i >= 0 {
		out = out[:i] + `\` + out[i:]
	}
	if strings.HasPrefix(out, "*") {
		out = strings.TrimLeft(out, "*")
	} else {
		out = "^" + out
	}
	if strings.HasSuffix(out, "*") {
		out = strings.TrimRight(out, "*")
	} else {
		out += "$"
	}
	out = strings.Replace(out, "*", ".*", 1)
	return jsRegExp(out, "")
}

// jsRegExp compiles a JS regular expression with RE2 (no look-around or
// back-references).
func jsRegExp(src, flags string) (*regexp.Regexp, error) {
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			prefix += string(f)
		case 'g', 'y', 'u':
		default:
			return nil, fmt.Errorf("invalid flags %q", flags)
		}
	}
	if prefix != "" {
		src = "(?" + prefix + ")" + src
	}
	return regexp.Compile(src)
}

func expandValue(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		a := []any{}
		for _, j := range x {
			e, err := expandValue(j)
			if err != nil {
				return nil, err
			}
			a = append(a, e...)
		}
		return []any{a}, nil
	case *object:
		n := len(x.keys)
		values := make([][]any, n)
		for i, k := range x.keys {
			if expandOps[k] {
				e, err := expandValue(x.vals[i])
				if err != nil {
					return nil, err
				}
				values[i] = e
			} else {
				values[i] = []any{x.vals[i]}
			}
		}
		var objs []any
		idx := make([]int, n)
		i := 0
		for i < n {
			o := &object{}
			for j, k := range x.keys {
				if len(values[j]) == 0 {
					o.set(k, nil)
				} else {
					o.set(k, values[j][idx[j]])
				}
			}
			objs = append(objs, o)
			for i = 0; i < n; i++ {
				idx[i]++
				if idx[i] < len(values[i]) {
					break
				}
				idx[i] = 0
			}
		}
		return objs, nil
	}
	return normalize(v)
}

// expandDeviceQuery is lib/query.ts expand: parameter keys get "._value"
// and string values become alternatives.
func expandDeviceQuery(q *object) (*object, error) {
	out := &object{}
	for i, k := range q.keys {
		v := q.vals[i]
		if strings.HasPrefix(k, "$") {
			arr, ok := v.([]any)
			if !ok {
				return nil, crash("TypeError: query[%q].map is not a function", k)
			}
			mapped := make([]any, len(arr))
			for j, e := range arr {
				eo, ok := e.(*object)
				if !ok {
					eo = &object{} // Object.entries of a scalar is empty
				}
				x, err := expandDeviceQuery(eo)
				if err != nil {
					return nil, err
				}
				mapped[j] = x
			}
			out.set(k, mapped)
			continue
		}
		param := k
		if j := strings.LastIndexByte(k, '.'); !strings.HasPrefix(k[j+1:], "_") {
			param += "._value"
		}
		values, err := expandValue(v)
		if err != nil {
			return nil, err
		}
		conds := make([]any, len(values))
		for j, e := range values {
			conds[j] = &object{keys: []string{param}, vals: []any{e}}
		}
		switch {
		case len(conds) > 1:
			andV, _ := out.get("$and")
			and, _ := andV.([]any)
			if vo, ok := v.(*object); ok && (notNull(vo, "$ne") || notNull(vo, "$not")) {
				if len(vo.keys) > 1 {
					return nil, crash("Error: Cannot mix $ne or $not with other operators")
				}
				and = append(and, conds...)
			} else {
				and = append(and, &object{keys: []string{"$or"}, vals: []any{conds}})
			}
			out.set("$and", and)
		case len(conds) == 1:
			c := conds[0].(*object)
			out.set(c.keys[0], c.vals[0])
		}
	}
	return out, nil
}

func notNull(o *object, k string) bool {
	v, ok := o.get(k)
	return ok && v != nil
}

// sanitizeQueryTypes converts the typed fields of tasks and faults queries
// (lib/query.ts sanitizeQueryTypes).
func sanitizeQueryTypes(q *object, types map[string]func(any) (any, error)) error {
	for i, k := range q.keys {
		v := q.vals[i]
		if strings.HasPrefix(k, "$") {
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					if eo, ok := e.(*object); ok {
						if err := sanitizeQueryTypes(eo, types); err != nil {
							return err
						}
					}
				}
			}
			continue
		}
		conv, ok := types[k]
		if !ok {
			continue
		}
		vo, isObj := v.(*object)
		if !isObj {
			c, err := conv(v)
			if err != nil {
				return err
			}
			q.vals[i] = c
			continue
		}
		for j, kk := range vo.keys {
			switch kk {
			case "$in", "$nin":
				arr, ok := vo.vals[j].([]any)
				if !ok {
					return crash("TypeError: invalid %s", kk)
				}
				for n := range arr {
					c, err := conv(arr[n])
					if err != nil {
						return err
					}
					arr[n] = c
				}
			case "$eq", "$gt", "$gte", "$lt", "$lte", "$ne":
				c, err := conv(vo.vals[j])
				if err != nil {
					return err
				}
				vo.vals[j] = c
			case "$exists", "$type":
			default:
				return crash("Error: Operator not supported")
			}
		}
	}
	return nil
}

var taskQueryTypes = map[string]func(any) (any, error){
	"_id": func(v any) (any, error) {
		s, _ := v.(string)
		if id, ok := parseObjectID(s); ok {
			return id, nil
		}
		return nil, crash("BSONError: input must be a 24 character hex string, 12 byte Uint8Array, or an integer")
	},
	"timestamp": jsNewDate,
	"retries":   jsNumber,
}

var faultQueryTypes = map[string]func(any) (any, error){
	"timestamp": jsNewDate,
	"retries":   jsNumber,
}

// jsNewDate is `new Date(v)`.
func jsNewDate(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return invalidDate{}, nil
		}
		return msTime(int64(x)), nil
	case string:
		if t, ok := jsDate(x); ok {
			return t, nil
		}
		return invalidDate{}, nil
	case bool:
		if x {
			return msTime(1), nil
		}
		return msTime(0), nil
	case nil:
		return msTime(0), nil
	case time.Time:
		return x, nil
	}
	return invalidDate{}, nil
}

// jsNumber is Number(v).
func jsNumber(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		return jsToNumber(x), nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case nil:
		return 0.0, nil
	}
	return math.NaN(), nil
}

// ---- compile ----

func compileQuery(q *object) (cond, error) {
	var out andCond
	for i, k := range q.keys {
		v := q.vals[i]
		switch k {
		case "$and", "$or", "$nor":
			arr, ok := v.([]any)
			if !ok || len(arr) == 0 {
				return nil, crash("MongoServerError: %s must be a nonempty array", k)
			}
			var subs []cond
			for _, e := range arr {
				eo, ok := e.(*object)
				if !ok {
					return nil, crash("MongoServerError: %s argument's entries must be objects", k)
				}
				c, err := compileQuery(eo)
				if err != nil {
					return nil, err
				}
				subs = append(subs, c)
			}
			switch k {
			case "$and":
				out = append(out, andCond(subs))
			case "$or":
				out = append(out, orCond(subs))
			default:
				out = append(out, norCond(subs))
			}
			continue
		case "$comment":
			continue
		}
		if strings.HasPrefix(k, "$") {
			return nil, crash("MongoServerError: unknown top level operator: %s", k)
		}
		preds, err := compileField(v)
		if err != nil {
			return nil, err
		}
		out = append(out, &fieldCond{path: k, preds: preds})
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func isOperatorObject(v any) (*object, bool) {
	o, ok := v.(*object)
	if !ok || len(o.keys) == 0 || !strings.HasPrefix(o.keys[0], "$") {
		return nil, false
	}
	return o, true
}

func compileField(v any) ([]pred, error) {
	if re, ok := v.(*regexp.Regexp); ok {
		return []pred{{op: "$regex", re: re}}, nil
	}
	o, ok := isOperatorObject(v)
	if !ok {
		return []pred{{op: "$eq", val: v}}, nil
	}
	var preds []pred
	options := ""
	if ov, ok := o.get("$options"); ok {
		options, _ = ov.(string)
	}
	for i, k := range o.keys {
		x := o.vals[i]
		p := pred{op: k, val: x}
		switch k {
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
		case "$in", "$nin", "$all":
			arr, ok := x.([]any)
			if !ok {
				return nil, crash("MongoServerError: %s needs an array", k)
			}
			p.list = arr
		case "$exists":
			p.flag = truthy(x)
		case "$regex":
			switch r := x.(type) {
			case *regexp.Regexp:
				p.re = r
			case string:
				re, err := jsRegExp(r, options)
				if err != nil {
					return nil, crash("MongoServerError: Regular expression is invalid: %w", err)
				}
				p.re = re
			default:
				return nil, crash("MongoServerError: $regex has to be a string")
			}
		case "$options":
			continue
		case "$not":
			if re, ok := x.(*regexp.Regexp); ok {
				p.not = []pred{{op: "$regex", re: re}}
				break
			}
			if xo, ok := x.(*object); ok {
				if r, ok := xo.get("$regex"); ok && len(xo.keys) == 1 {
					if re, ok := r.(*regexp.Regexp); ok {
						p.not = []pred{{op: "$regex", re: re}}
						break
					}
				}
			}
			sub, ok := isOperatorObject(x)
			if !ok {
				return nil, crash("MongoServerError: $not needs a regex or a document")
			}
			np, err := compileField(sub)
			if err != nil {
				return nil, err
			}
			p.not = np
		case "$size":
			n, ok := x.(float64)
			if !ok {
				return nil, crash("MongoServerError: $size needs a number")
			}
			p.num = n
		case "$mod":
			arr, ok := x.([]any)
			if !ok || len(arr) != 2 {
				return nil, crash("MongoServerError: malformed mod")
			}
			d, ok1 := arr[0].(float64)
			r, ok2 := arr[1].(float64)
			if !ok1 || !ok2 || d == 0 {
				return nil, crash("MongoServerError: malformed mod")
			}
			p.num, p.rem = d, r
		case "$type":
		case "$elemMatch":
			xo, ok := x.(*object)
			if !ok {
				return nil, crash("MongoServerError: $elemMatch needs an Object")
			}
			if sub, ok := isOperatorObject(xo); ok {
				np, err := compileField(sub)
				if err != nil {
					return nil, err
				}
				p.not = np // reused: predicates on the element itself
			} else {
				c, err := compileQuery(xo)
				if err != nil {
					return nil, err
				}
				p.sub = c
			}
		default:
			return nil, crash("MongoServerError: unknown operator: %s", k)
		}
		preds = append(preds, p)
	}
	return preds, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return true
	}
	return true
}

// ---- evaluation (MongoDB semantics, simple binary collation) ----

func (p *pred) eval(v any, ok bool) bool {
	switch p.op {
	case "$eq":
		return matchEq(v, ok, p.val)
	case "$ne":
		return !matchEq(v, ok, p.val)
	case "$gt", "$gte", "$lt", "$lte":
		return matchCmp(v, ok, p.val, p.op)
	case "$in":
		for _, e := range p.list {
			if matchEq(v, ok, e) {
				return true
			}
		}
		return false
	case "$nin":
		for _, e := range p.list {
			if matchEq(v, ok, e) {
				return false
			}
		}
		return true
	case "$all":
		if len(p.list) == 0 {
			return false
		}
		for _, e := range p.list {
			if !matchEq(v, ok, e) {
				return false
			}
		}
		return true
	case "$exists":
		return ok == p.flag
	case "$regex":
		return ok && anyScalar(v, func(x any) bool {
			s, isStr := x.(string)
			return isStr && p.re.MatchString(s)
		})
	case "$not":
		for i := range p.not {
			if !p.not[i].eval(v, ok) {
				return true
			}
		}
		return false
	case "$size":
		a, isArr := v.([]any)
		return ok && isArr && float64(len(a)) == p.num
	case "$mod":
		return ok && anyScalar(v, func(x any) bool {
			f, isNum := x.(float64)
			return isNum && math.Mod(math.Trunc(f), math.Trunc(p.num)) == p.rem
		})
	case "$type":
		return ok && anyScalar(v, func(x any) bool { return typeMatches(x, p.val) })
	case "$elemMatch":
		a, isArr := v.([]any)
		if !ok || !isArr {
			return false
		}
		for _, e := range a {
			if p.sub != nil {
				if eo, isObj := e.(*object); isObj && p.sub.match(func(path string) (any, bool) { return resolvePath(eo, path) }) {
					return true
				}
				continue
			}
			all := true
			for i := range p.not {
				if !p.not[i].eval(e, true) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
		return false
	}
	return false
}

// anyScalar applies f to v or, for an array, to each element.
func anyScalar(v any, f func(any) bool) bool {
	if a, ok := v.([]any); ok {
		for _, e := range a {
			if f(e) {
				return true
			}
		}
		return false
	}
	return f(v)
}

func matchEq(v any, ok bool, q any) bool {
	if q == nil {
		if !ok || v == nil {
			return true
		}
		if a, isArr := v.([]any); isArr {
			for _, e := range a {
				if e == nil {
					return true
				}
			}
		}
		return false
	}
	if !ok {
		return false
	}
	if re, isRe := q.(*regexp.Regexp); isRe {
		return anyScalar(v, func(x any) bool {
			s, isStr := x.(string)
			return isStr && re.MatchString(s)
		})
	}
	if eqValues(v, q) {
		return true
	}
	if a, isArr := v.([]any); isArr {
		for _, e := range a {
			if eqValues(e, q) {
				return true
			}
		}
	}
	return false
}

func eqValues(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case objectID:
		y, ok := b.(objectID)
		return ok && x == y
	case *object:
		y, ok := b.(*object)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for i := range x.keys {
			if x.keys[i] != y.keys[i] || !eqValues(x.vals[i], y.vals[i]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !eqValues(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func matchCmp(v any, ok bool, q any, op string) bool {
	if q == nil {
		// $gte/$lte null match null and missing; $gt/$lt match nothing.
		return (op == "$gte" || op == "$lte") && matchEq(v, ok, nil)
	}
	if !ok {
		return false
	}
	return anyScalar(v, func(x any) bool {
		c, comparable := cmpSameType(x, q)
		if !comparable {
			return false
		}
		switch op {
		case "$gt":
			return c > 0
		case "$gte":
			return c >= 0
		case "$lt":
			return c < 0
		}
		return c <= 0
	})
}

// cmpSameType compares two values of the same BSON type bracket.
func cmpSameType(a, b any) (int, bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok || math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmpOrdered(x, y), true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		return cmpOrdered(boolInt(x), boolInt(y)), true
	case objectID:
		y, ok := b.(objectID)
		if !ok {
			return 0, false
		}
		return strings.Compare(string(x), string(y)), true
	}
	return 0, false
}

func cmpOrdered[T int | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func typeMatches(x any, t any) bool {
	name := ""
	switch tv := t.(type) {
	case string:
		name = tv
	case float64:
		name = map[float64]string{1: "double", 2: "string", 3: "object", 4: "array", 7: "objectId", 8: "bool", 9: "date", 10: "null", 11: "regex", 16: "int", 18: "long"}[tv]
	}
	switch x.(type) {
	case float64:
		return name == "double" || name == "number" || name == "int" || name == "long"
	case string:
		return name == "string"
	case *object:
		return name == "object"
	case []any:
		return name == "array"
	case objectID:
		return name == "objectId"
	case bool:
		return name == "bool"
	case time.Time:
		return name == "date"
	case nil:
		return name == "null"
	}
	return false
}

// resolvePath walks a generic document the way MongoDB resolves a dotted
// path, descending into arrays.
func resolvePath(v any, path string) (any, bool) {
	cur := []any{v}
	for _, part := range strings.Split(path, ".") {
		var next []any
		for _, c := range cur {
			switch x := c.(type) {
			case *object:
				if val, ok := x.get(part); ok {
					next = append(next, val)
				}
			case []any:
				if n, err := strconv.Atoi(part); err == nil && n >= 0 {
					if n < len(x) {
						next = append(next, x[n])
					}
					continue
				}
				for _, e := range x {
					if eo, ok := e.(*object); ok {
						if val, ok := eo.get(part); ok {
							next = append(next, val)
						}
					}
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil, false
		}
	}
	if len(cur) == 1 {
		return cur[0], true
	}
	return cur, true
}

// ---- sort ----

type sortKey struct {
	path string
	dir  int
}

func parseSort(s *object, devices bool) ([]sortKey, error) {
	var keys []sortKey
	for i, k := range s.keys {
		dir := 0
		switch x := s.vals[i].(type) {
		case float64:
			if x == 1 || x == -1 {
				dir = int(x)
			}
		case string:
			switch strings.ToLower(x) {
			case "asc", "ascending":
				dir = 1
			case "desc", "descending":
				dir = -1
			}
		}
		if dir == 0 {
			return nil, crash("MongoInvalidArgumentError: Invalid sort direction: %v", string(appendJSON(nil, s.vals[i])))
		}
		if devices {
			if j := strings.LastIndexByte(k, '.'); !strings.HasPrefix(k[j+1:], "_") {
				k += "._value"
			}
		}
		keys = append(keys, sortKey{path: k, dir: dir})
	}
	return keys, nil
}

// sortValue picks the value an array sorts by: its smallest element
// ascending, its largest descending.
func sortValue(v any, ok bool, dir int) any {
	if !ok {
		return nil
	}
	a, isArr := v.([]any)
	if !isArr {
		return v
	}
	if len(a) == 0 {
		return emptyArray{}
	}
	best := a[0]
	for _, e := range a[1:] {
		if c := compareSort(e, best); (dir > 0 && c < 0) || (dir < 0 && c > 0) {
			best = e
		}
	}
	return best
}

type emptyArray struct{}

func typeRank(v any) int {
	switch v.(type) {
	case emptyArray:
		return 0
	case nil:
		return 1
	case float64:
		return 2
	case string:
		return 3
	case *object, existsMarker:
		return 4
	case []any:
		return 5
	case objectID:
		return 7
	case bool:
		return 8
	case time.Time:
		return 9
	case *regexp.Regexp:
		return 11
	}
	return 12
}

// compareSort orders values across types as MongoDB sorts them.
func compareSort(a, b any) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return cmpOrdered(ra, rb)
	}
	if c, ok := cmpSameType(a, b); ok {
		return c
	}
	if ra == 4 {
		return strings.Compare(string(appendJSON(nil, a)), string(appendJSON(nil, b)))
	}
	return 0
}
