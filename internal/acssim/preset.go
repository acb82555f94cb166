package acssim

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Presets as GenieACS's CWMP side reads them (lib/cwmp/local-cache.ts):
// sorted by weight then name; the precondition is a GenieACS expression
// ("DeviceID.SerialNumber = \"x\" AND Tags.y IS NOT NULL") or, when that
// does not parse, an old Mongo-style JSON query ({"_tags":"x"}); the
// configurations become provisions: provision → [name, args...], value →
// ["value", path, v], age → ["refresh", path, s], add_tag/delete_tag →
// ["tag", tag, bool]. A preset matches a session whose events are exactly
// as its events say (true: present, false: absent) and whose precondition
// holds on what GenieACS knows of the device.

// preset is a parsed preset.
type preset struct {
	name, channel string
	weight        float64
	events        map[string]bool // event codes with spaces as "_"
	cond          any             // expression; true when empty
	provisions    [][]any
	invalid       string // why GenieACS could not load it
}

// loadPresets parses the stored presets (s.mu held).
func (s *Sim) loadPresets() []*preset {
	if s.presetCache != nil && s.presetRev == s.cfgRev {
		return s.presetCache
	}
	var out []*preset
	for _, o := range s.colls["presets"].docs {
		p := &preset{name: o.str("_id"), channel: "default", events: map[string]bool{}, cond: true}
		if ch, ok := o.get("channel"); ok {
			if c, ok := ch.(string); ok && c != "" {
				p.channel = c
			}
		}
		if w, ok := o.get("weight"); ok {
			p.weight, _ = w.(float64)
		}
		if ev, ok := o.get("events"); ok {
			if eo, ok := ev.(*object); ok {
				for i, k := range eo.keys {
					p.events[strings.Join(strings.Fields(k), "_")] = truthy(eo.vals[i])
				}
			}
		}
		if pc, _ := o.get("precondition"); pc != nil {
			if src, ok := pc.(string); ok && src != "" {
				cond, err := parseExpr(src)
				if err != nil {
					v, jerr := parseJSON([]byte(src))
					q, isObj := v.(*object)
					if jerr != nil || !isObj {
						p.invalid = "precondition: " + err.Error()
					} else if cond, err = convertOldPrecondition(q); err != nil {
						p.invalid = "precondition: " + err.Error()
					}
				}
				p.cond = cond
			}
		}
		if sch, _ := o.get("schedule"); truthy(sch) {
			p.invalid = "preset schedules are not simulated" // never run: stricter than GenieACS, not kinder
		}
		if cfgs, ok := o.get("configurations"); ok {
			arr, _ := cfgs.([]any)
			for _, c := range arr {
				co, ok := c.(*object)
				if !ok {
					continue
				}
				switch co.str("type") {
				case "age":
					age, _ := jsNumber(mustGet(co, "age"))
					p.provisions = append(p.provisions, []any{"refresh", co.str("name"), age})
				case "value":
					p.provisions = append(p.provisions, []any{"value", co.str("name"), mustGet(co, "value")})
				case "add_tag":
					p.provisions = append(p.provisions, []any{"tag", co.str("tag"), true})
				case "delete_tag":
					p.provisions = append(p.provisions, []any{"tag", co.str("tag"), false})
				case "provision":
					call := []any{co.str("name")}
					if a, ok := mustGet(co, "args").([]any); ok {
						call = append(call, a...)
					}
					p.provisions = append(p.provisions, call)
				default:
					p.invalid = "unknown configuration type " + co.str("type")
				}
			}
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight < out[j].weight
		}
		return out[i].name < out[j].name
	})
	s.presetCache, s.presetRev = out, s.cfgRev
	return out
}

// eventsMatch reports whether a session's events satisfy a preset's.
func (p *preset) eventsMatch(events map[string]bool) bool {
	for k, want := range p.events {
		if want != events[k] {
			return false
		}
	}
	return true
}

// ---- expressions ----

// Expressions are GenieACS's: nil (NULL), bool, float64, string, or
// []any{op, operands...} with op one of AND OR NOT = <> > >= < <= LIKE
// "NOT LIKE" "IS NULL" "IS NOT NULL" + - * / % || PARAM FUNC.

type exprParser struct {
	s   string
	pos int
}

// parseExpr parses a precondition the way GenieACS's parser does (the
// parts presets use: logic, comparison, LIKE, IS [NOT] NULL, arithmetic,
// parameters, strings in ” or "", numbers, TRUE/FALSE/NULL and the
// functions NOW, UPPER, LOWER, ROUND, COALESCE).
func parseExpr(src string) (any, error) {
	p := &exprParser{s: src}
	p.ws()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.pos:], p.pos)
	}
	return e, nil
}

func (p *exprParser) ws() {
	for p.pos < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
}

var (
	reKeyword = regexp.MustCompile(`^(?i)(is\s+not\s+null|is\s+null|not\s+like|or|and|not|like|null|true|false)\b`)
	reNumber  = regexp.MustCompile(`^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?`)
	reParam   = regexp.MustCompile(`^[a-zA-Z0-9_.*-]+`)
	reFunc    = regexp.MustCompile(`^([a-zA-Z0-9_]+)\s*\(`)
)

// keyword consumes a keyword (case-insensitive, whole word).
func (p *exprParser) keyword(kw string) bool {
	m := reKeyword.FindString(p.s[p.pos:])
	if m == "" || strings.Join(strings.Fields(strings.ToUpper(m)), " ") != kw {
		return false
	}
	p.pos += len(m)
	p.ws()
	return true
}

func (p *exprParser) op(ops ...string) string {
	for _, o := range ops {
		if strings.HasPrefix(p.s[p.pos:], o) {
			p.pos += len(o)
			p.ws()
			return o
		}
	}
	return ""
}

func (p *exprParser) or() (any, error) {
	return p.binary("OR", p.and)
}

func (p *exprParser) and() (any, error) {
	return p.binary("AND", p.not)
}

func (p *exprParser) binary(kw string, next func() (any, error)) (any, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	for p.keyword(kw) {
		e, err := next()
		if err != nil {
			return nil, err
		}
		if a, ok := first.([]any); ok && a[0] == kw {
			first = append(a, e)
		} else {
			first = []any{kw, first, e}
		}
	}
	return first, nil
}

func (p *exprParser) not() (any, error) {
	if p.keyword("NOT") {
		e, err := p.comparison()
		if err != nil {
			return nil, err
		}
		return []any{"NOT", e}, nil
	}
	return p.comparison()
}

func (p *exprParser) comparison() (any, error) {
	left, err := p.value(0)
	if err != nil {
		return nil, err
	}
	switch {
	case p.keyword("IS NOT NULL"):
		return []any{"IS NOT NULL", left}, nil
	case p.keyword("IS NULL"):
		return []any{"IS NULL", left}, nil
	case p.keyword("NOT LIKE"):
		right, err := p.value(0)
		if err != nil {
			return nil, err
		}
		return []any{"NOT LIKE", left, right}, nil
	case p.keyword("LIKE"):
		right, err := p.value(0)
		if err != nil {
			return nil, err
		}
		return []any{"LIKE", left, right}, nil
	}
	if o := p.op(">=", "<>", "<=", "=", ">", "<"); o != "" {
		right, err := p.value(0)
		if err != nil {
			return nil, err
		}
		return []any{o, left, right}, nil
	}
	return left, nil
}

// value parses arithmetic: level 0 is ||, 1 is + -, 2 is * / %.
func (p *exprParser) value(level int) (any, error) {
	ops := [][]string{{"||"}, {"+", "-"}, {"*", "/", "%"}}
	if level == len(ops) {
		return p.atom()
	}
	first, err := p.value(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		o := ""
		for _, c := range ops[level] {
			if strings.HasPrefix(p.s[p.pos:], c) {
				o = c
				break
			}
		}
		if o == "" {
			return first, nil
		}
		p.pos += len(o)
		p.ws()
		e, err := p.value(level + 1)
		if err != nil {
			return nil, err
		}
		if a, ok := first.([]any); ok && a[0] == o {
			first = append(a, e)
		} else {
			first = []any{o, first, e}
		}
	}
}

func (p *exprParser) atom() (any, error) {
	rest := p.s[p.pos:]
	if rest == "" {
		return nil, fmt.Errorf("unexpected end of expression")
	}
	switch {
	case p.keyword("NULL"):
		return nil, nil
	case p.keyword("TRUE"):
		return true, nil
	case p.keyword("FALSE"):
		return false, nil
	}
	if m := reNumber.FindString(rest); m != "" && !reParam.MatchString(rest[len(m):]) {
		f, _ := strconv.ParseFloat(m, 64)
		p.pos += len(m)
		p.ws()
		return f, nil
	}
	switch rest[0] {
	case '\'':
		var b strings.Builder
		for {
			end := strings.IndexByte(p.s[p.pos+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated string")
			}
			b.WriteString(p.s[p.pos+1 : p.pos+1+end])
			p.pos += end + 2
			if charAt(p.s, p.pos) != '\'' {
				break
			}
			b.WriteByte('\'')
		}
		p.ws()
		return b.String(), nil
	case '"':
		for i := p.pos + 1; i < len(p.s); i++ {
			if p.s[i] == '\\' {
				i++
				continue
			}
			if p.s[i] == '"' {
				v, err := parseJSON([]byte(p.s[p.pos : i+1]))
				if err != nil {
					return nil, err
				}
				p.pos = i + 1
				p.ws()
				return v, nil
			}
		}
		return nil, fmt.Errorf("unterminated string")
	case '(':
		p.pos++
		p.ws()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.op(")") == "" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	}
	if m := reFunc.FindStringSubmatch(rest); m != nil {
		p.pos += len(m[0])
		p.ws()
		call := []any{"FUNC", strings.ToUpper(m[1])}
		if p.op(")") == "" {
			for {
				e, err := p.or()
				if err != nil {
					return nil, err
				}
				call = append(call, e)
				if p.op(",") == "" {
					break
				}
			}
			if p.op(")") == "" {
				return nil, fmt.Errorf("missing ) after arguments")
			}
		}
		return call, nil
	}
	if m := reParam.FindString(rest); m != "" {
		p.pos += len(m)
		p.ws()
		return []any{"PARAM", m}, nil
	}
	return nil, fmt.Errorf("unexpected %q", rest)
}

// convertOldPrecondition turns a Mongo-style precondition into an
// expression (lib/db/util.ts).
func convertOldPrecondition(q *object) (any, error) {
	var rec func(q *object) (any, error)
	rec = func(q *object) (any, error) {
		var exps []any
		for i, k := range q.keys {
			v := q.vals[i]
			switch {
			case strings.HasPrefix(k, "$"):
				if k != "$and" && k != "$or" {
					return nil, fmt.Errorf("operator %s not supported", k)
				}
				op := []any{strings.ToUpper(k[1:])}
				arr, _ := v.([]any)
				for _, sub := range arr {
					so, ok := sub.(*object)
					if !ok {
						return nil, fmt.Errorf("invalid %s", k)
					}
					e, err := rec(so)
					if err != nil {
						return nil, err
					}
					op = append(op, e)
				}
				exps = append(exps, op)
			case k == "_tags":
				switch x := v.(type) {
				case string:
					exps = append(exps, []any{"IS NOT NULL", []any{"PARAM", "Tags." + encodeTag(x)}})
				case *object:
					var conj []any
					for j, op := range x.keys {
						s, ok := x.vals[j].(string)
						if !ok {
							return nil, fmt.Errorf("only string values are allowed for _tags")
						}
						switch op {
						case "$ne":
							conj = append(conj, []any{"IS NULL", []any{"PARAM", "Tags." + encodeTag(s)}})
						case "$eq":
							conj = append(conj, []any{"IS NOT NULL", []any{"PARAM", "Tags." + encodeTag(s)}})
						default:
							return nil, fmt.Errorf("invalid tag query")
						}
					}
					if len(conj) == 1 {
						exps = append(exps, conj[0])
					} else if len(conj) > 1 {
						exps = append(exps, append([]any{"AND"}, conj...))
					}
				default:
					return nil, fmt.Errorf("invalid type")
				}
			case strings.HasPrefix(k, "Tags."):
				exists := false
				switch x := v.(type) {
				case bool:
					exists = x
				case *object:
					if e, ok := x.get("$eq"); ok {
						exists = truthy(e)
					} else if e, ok := x.get("$ne"); ok {
						exists = !truthy(e)
					} else if e, ok := x.get("$exists"); ok {
						exists = truthy(e)
					} else {
						return nil, fmt.Errorf("invalid tag query")
					}
				default:
					return nil, fmt.Errorf("invalid tag query")
				}
				op := "IS NULL"
				if exists {
					op = "IS NOT NULL"
				}
				exps = append(exps, []any{op, []any{"PARAM", k}})
			default:
				if o, ok := v.(*object); ok {
					var conj []any
					for j, op := range o.keys {
						vv := o.vals[j]
						switch vv.(type) {
						case string, float64, bool:
						default:
							return nil, fmt.Errorf("invalid value for %s operator", op)
						}
						param := []any{"PARAM", k}
						switch op {
						case "$eq":
							conj = append(conj, []any{"=", param, vv})
						case "$ne":
							conj = append(conj, []any{"OR", []any{"<>", param, vv}, []any{"IS NULL", param}})
						case "$lt", "$lte", "$gt", "$gte":
							sym := map[string]string{"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}[op]
							conj = append(conj, []any{sym, param, vv})
						default:
							return nil, fmt.Errorf("operator %s not supported", op)
						}
					}
					if len(conj) == 1 {
						exps = append(exps, conj[0])
					} else if len(conj) > 1 {
						exps = append(exps, append([]any{"AND"}, conj...))
					}
					continue
				}
				if _, ok := v.([]any); ok {
					return nil, fmt.Errorf("invalid type")
				}
				exps = append(exps, []any{"=", []any{"PARAM", k}, v})
			}
		}
		switch len(exps) {
		case 0:
			return true, nil
		case 1:
			return exps[0], nil
		}
		return append([]any{"AND"}, exps...), nil
	}
	if len(q.keys) == 0 {
		return true, nil
	}
	return rec(q)
}

// exprParams lists the parameters an expression reads.
func exprParams(e any, out []string) []string {
	a, ok := e.([]any)
	if !ok {
		return out
	}
	if a[0] == "PARAM" {
		if s, ok := a[1].(string); ok {
			for _, x := range out {
				if x == s {
					return out
				}
			}
			return append(out, s)
		}
		return out
	}
	for _, x := range a[1:] {
		out = exprParams(x, out)
	}
	return out
}

// evalExpr evaluates an expression with SQL's NULL logic; param returns a
// parameter's value (nil: NULL).
func evalExpr(e any, param func(string) any, now int64) any {
	a, ok := e.([]any)
	if !ok {
		return e
	}
	op, _ := a[0].(string)
	switch op {
	case "PARAM":
		name, _ := a[1].(string)
		return param(name)
	case "FUNC":
		fn, _ := a[1].(string)
		args := make([]any, len(a)-2)
		for i, x := range a[2:] {
			args[i] = evalExpr(x, param, now)
		}
		switch fn {
		case "NOW":
			return float64(now)
		case "COALESCE":
			for _, x := range args {
				if x != nil {
					return x
				}
			}
			return nil
		case "UPPER", "LOWER":
			if len(args) == 0 || args[0] == nil {
				return nil
			}
			if fn == "UPPER" {
				return strings.ToUpper(exprString(args[0]))
			}
			return strings.ToLower(exprString(args[0]))
		case "ROUND":
			if len(args) == 0 || args[0] == nil {
				return nil
			}
			prec := 0.0
			if len(args) > 1 {
				if args[1] == nil {
					return nil
				}
				prec = exprNumber(args[1])
			}
			d := math.Pow(10, prec)
			return math.Round(exprNumber(args[0])*d*(1+2.220446049250313e-16)) / d
		}
		return nil
	case "AND":
		null := false
		for _, x := range a[1:] {
			v := evalExpr(x, param, now)
			if v == nil {
				null = true
			} else if !truthy(v) {
				return false
			}
		}
		if null {
			return nil
		}
		return true
	case "OR":
		null := false
		for _, x := range a[1:] {
			v := evalExpr(x, param, now)
			if v == nil {
				null = true
			} else if truthy(v) {
				return true
			}
		}
		if null {
			return nil
		}
		return false
	case "NOT":
		v := evalExpr(a[1], param, now)
		if v == nil {
			return nil
		}
		return !truthy(v)
	case "IS NULL":
		return evalExpr(a[1], param, now) == nil
	case "IS NOT NULL":
		return evalExpr(a[1], param, now) != nil
	}
	args := make([]any, len(a)-1)
	for i, x := range a[1:] {
		args[i] = evalExpr(x, param, now)
		if args[i] == nil {
			return nil
		}
	}
	switch op {
	case "=", "<>", ">", ">=", "<", "<=":
		c := exprCompare(args[0], args[1])
		switch op {
		case "=":
			return c == 0
		case "<>":
			return c != 0
		case ">":
			return c > 0
		case ">=":
			return c >= 0
		case "<":
			return c < 0
		}
		return c <= 0
	case "LIKE", "NOT LIKE":
		esc := ""
		if len(args) > 2 {
			esc = exprString(args[2])
		}
		m := likeRegexp(exprString(args[1]), esc).MatchString(exprString(args[0]))
		if op == "NOT LIKE" {
			return !m
		}
		return m
	case "+", "-", "*", "/", "%":
		acc := exprNumber(args[0])
		for _, x := range args[1:] {
			n := exprNumber(x)
			switch op {
			case "+":
				acc += n
			case "-":
				acc -= n
			case "*":
				acc *= n
			case "/":
				if n == 0 {
					return nil
				}
				acc /= n
			case "%":
				if math.Trunc(n) == 0 {
					return nil
				}
				acc = math.Mod(acc, math.Trunc(n))
			}
		}
		return acc
	case "||":
		var b strings.Builder
		for _, x := range args {
			b.WriteString(exprString(x))
		}
		return b.String()
	}
	return nil
}

func exprNumber(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case bool:
		return b01(x)
	case string:
		f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f
	}
	return 0
}

func exprString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.Itoa(int(b01(x)))
	}
	return jsString(v)
}

// exprCompare orders values as GenieACS does: booleans as numbers, a
// string after any number.
func exprCompare(a, b any) int {
	if x, ok := a.(bool); ok {
		a = b01(x)
	}
	if x, ok := b.(bool); ok {
		b = b01(x)
	}
	as, aStr := a.(string)
	bs, bStr := b.(string)
	switch {
	case aStr && bStr:
		return strings.Compare(as, bs)
	case aStr:
		return 1
	case bStr:
		return -1
	}
	af, bf := exprNumber(a), exprNumber(b)
	switch {
	case af > bf:
		return 1
	case af < bf:
		return -1
	}
	return 0
}

// likeRegexp compiles a LIKE pattern: % any run, _ one character.
func likeRegexp(pat, esc string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case esc != "" && strings.HasPrefix(pat[i:], esc) && i+len(esc) < len(pat):
			i += len(esc)
			b.WriteString(regexp.QuoteMeta(string(pat[i])))
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile("(?s)" + b.String())
}
