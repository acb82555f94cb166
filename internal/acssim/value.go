package acssim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The NBI stores and answers JSON the way GenieACS (Node + MongoDB) does, so
// the simulator keeps its own small value model instead of encoding/json:
// objects keep their key order, numbers are float64, dates are time.Time
// (MongoDB Date), task ids are objectID, and JSON.parse errors carry V8's
// messages. Values are: nil (null), bool, float64, string, time.Time,
// objectID, []any, *object and *regexp.Regexp (query only).

// object is a JSON object that keeps insertion order, like a JS object.
type object struct {
	keys []string
	vals []any
}

// objectID is a MongoDB ObjectId, kept as its 24-hex string.
type objectID string

func (o *object) get(k string) (any, bool) {
	for i, kk := range o.keys {
		if kk == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

// set replaces k in place or appends it, as assignment to a JS object does.
func (o *object) set(k string, v any) {
	for i, kk := range o.keys {
		if kk == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *object) str(k string) string {
	v, _ := o.get(k)
	s, _ := v.(string)
	return s
}

// withIDFirst returns a copy with _id moved to the front, as MongoDB stores
// documents.
func (o *object) withIDFirst() *object {
	id, ok := o.get("_id")
	if !ok {
		return o
	}
	n := &object{keys: []string{"_id"}, vals: []any{id}}
	for i, k := range o.keys {
		if k != "_id" {
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, o.vals[i])
		}
	}
	return n
}

// ---- JSON.stringify ----

// appendJSON appends v as JSON.stringify would.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return appendJSNumber(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return appendJSString(b, x)
	case objectID:
		return appendJSString(b, string(x))
	case time.Time:
		return appendISO(b, x)
	case invalidDate:
		return append(b, "null"...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, e)
		}
		return append(b, ']')
	case *object:
		return appendObject(b, x)
	case *regexp.Regexp:
		return append(b, "{}"...)
	default:
		return append(b, "null"...)
	}
}

// appendObject writes integer-like keys first in ascending order, then the
// rest in insertion order: the property order of a JS object.
func appendObject(b []byte, o *object) []byte {
	b = append(b, '{')
	first := true
	var ints []int
	for i, k := range o.keys {
		if isArrayIndex(k) {
			ints = append(ints, i)
		}
	}
	if len(ints) > 1 {
		sortIntsBy(ints, func(a, c int) bool {
			na, _ := strconv.ParseUint(o.keys[a], 10, 32)
			nc, _ := strconv.ParseUint(o.keys[c], 10, 32)
			return na < nc
		})
	}
	write := func(i int) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSString(b, o.keys[i])
		b = append(b, ':')
		b = appendJSON(b, o.vals[i])
	}
	for _, i := range ints {
		write(i)
	}
	for i, k := range o.keys {
		if !isArrayIndex(k) {
			write(i)
		}
	}
	return append(b, '}')
}

func sortIntsBy(a []int, less func(x, y int) bool) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && less(a[j], a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

// appendJSNumber formats like Number.prototype.toString.
func appendJSNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0')
	}
	a := math.Abs(f)
	if a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if exp == "" {
			exp = "0"
		}
		b = append(b, mant...)
		b = append(b, 'e', sign)
		return append(b, exp...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSString escapes like JSON.stringify: only quote, backslash and
// control characters.
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				b = append(b, '\\', '"')
			case c == '\\':
				b = append(b, '\\', '\\')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendISO writes a Date as JSON.stringify does: UTC, milliseconds, Z.
func appendISO(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ---- JSON.parse with V8's error messages ----

// jsonSyntaxError is the SyntaxError JSON.parse throws; Error() is the text
// the NBI answers after "SyntaxError: ".
type jsonSyntaxError struct{ msg string }

func (e *jsonSyntaxError) Error() string { return e.msg }

type jsonParser struct {
	src []byte
	pos int
}

// parseJSON parses like JSON.parse (Node 20 / V8 11).
func parseJSON(src []byte) (any, error) {
	p := &jsonParser{src: src}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos < len(p.src) {
		return nil, p.errAt("Unexpected non-whitespace character after JSON at position %d")
	}
	return v, nil
}

// position converts a byte offset to the UTF-16 index V8 reports.
func (p *jsonParser) position(off int) int {
	n := 0
	for _, r := range string(p.src[:off]) {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

func (p *jsonParser) errAt(format string) error {
	return &jsonSyntaxError{fmt.Sprintf(format, p.position(p.pos))}
}

// errToken is V8's report for a token that cannot start or continue a value.
func (p *jsonParser) errToken(msg string) error {
	if p.pos >= len(p.src) {
		return &jsonSyntaxError{"Unexpected end of JSON input"}
	}
	c := p.src[p.pos]
	switch {
	case c == '"':
		return p.errAt("Unexpected string in JSON at position %d")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.errAt("Unexpected number in JSON at position %d")
	}
	if msg != "" {
		return p.errAt(msg)
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	src := string(p.src)
	runes := []rune(src)
	pos := len([]rune(string(p.src[:p.pos])))
	const maxCtx = 10
	if len(runes) < maxCtx*2+1 {
		return &jsonSyntaxError{fmt.Sprintf("Unexpected token '%c', \"%s\" is not valid JSON", r, src)}
	}
	start, end := max(0, pos-maxCtx), min(len(runes), pos+maxCtx)
	ctx := string(runes[start:end])
	pre, post := "", ""
	if start > 0 {
		pre = "..."
	}
	if end < len(runes) {
		post = "..."
	}
	return &jsonSyntaxError{fmt.Sprintf("Unexpected token '%c', %s\"%s\"%s is not valid JSON", r, pre, ctx, post)}
}

func (p *jsonParser) ws() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.pos >= len(p.src) {
		return nil, &jsonSyntaxError{"Unexpected end of JSON input"}
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	default:
		return nil, p.errToken("")
	}
}

func (p *jsonParser) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.src) {
			return &jsonSyntaxError{"Unexpected end of JSON input"}
		}
		if p.src[p.pos] != word[i] {
			return p.errToken("")
		}
		p.pos++
	}
	return nil
}

func (p *jsonParser) object() (any, error) {
	p.pos++ // {
	o := &object{}
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return o, nil
	}
	expectKey := "Expected property name or '}' in JSON at position %d"
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			if p.pos >= len(p.src) {
				return nil, p.errAt(expectKey)
			}
			return nil, p.errAt(expectKey)
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errAt("Expected ':' after property name in JSON at position %d")
		}
		p.pos++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		o.set(k.(string), v)
		p.ws()
		if p.pos >= len(p.src) {
			return nil, p.errAt("Expected ',' or '}' after property value in JSON at position %d")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.ws()
			expectKey = "Expected double-quoted property name in JSON at position %d"
		case '}':
			p.pos++
			return o, nil
		default:
			return nil, p.errAt("Expected ',' or '}' after property value in JSON at position %d")
		}
	}
}

func (p *jsonParser) array() (any, error) {
	p.pos++ // [
	a := []any{}
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.ws()
		if p.pos >= len(p.src) {
			return nil, p.errAt("Expected ',' or ']' after array element in JSON at position %d")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.ws()
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, p.errAt("Expected ',' or ']' after array element in JSON at position %d")
		}
	}
}

func (p *jsonParser) string() (any, error) {
	p.pos++ // opening quote
	var sb strings.Builder
	start := p.pos
	for {
		if p.pos >= len(p.src) {
			return nil, p.errAt("Unterminated string in JSON at position %d")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			sb.Write(p.src[start:p.pos])
			p.pos++
			return sb.String(), nil
		case c < 0x20:
			return nil, p.errAt("Bad control character in string literal in JSON at position %d")
		case c == '\\':
			sb.Write(p.src[start:p.pos])
			p.pos++
			if p.pos >= len(p.src) {
				return nil, p.errAt("Unterminated string in JSON at position %d")
			}
			switch e := p.src[p.pos]; e {
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				r, ok := p.hex4(p.pos + 1)
				if !ok {
					return nil, p.errAt("Bad Unicode escape in JSON at position %d")
				}
				p.pos += 4
				if utf16.IsSurrogate(r) {
					if r2, ok2 := p.hex4(p.pos + 3); ok2 && p.pos+2 < len(p.src) && p.src[p.pos+1] == '\\' && p.src[p.pos+2] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							p.pos += 6
						}
					}
				}
				sb.WriteRune(r)
			default:
				return nil, p.errAt("Bad escaped character in JSON at position %d")
			}
			p.pos++
			start = p.pos
		default:
			p.pos++
		}
	}
}

func (p *jsonParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.src[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
		if p.pos >= len(p.src) || p.src[p.pos] < '0' || p.src[p.pos] > '9' {
			return nil, p.errAt("No number after minus sign in JSON at position %d")
		}
	}
	if p.src[p.pos] == '0' {
		p.pos++
	} else {
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if p.pos >= len(p.src) || p.src[p.pos] < '0' || p.src[p.pos] > '9' {
			return nil, p.errAt("Unterminated fractional number in JSON at position %d")
		}
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.src) || p.src[p.pos] < '0' || p.src[p.pos] > '9' {
			return nil, p.errAt("Exponent part is missing a number in JSON at position %d")
		}
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	f, err := strconv.ParseFloat(string(p.src[start:p.pos]), 64)
	if err != nil {
		// Overflow: JS gives Infinity.
		if strings.HasPrefix(string(p.src[start:p.pos]), "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	return f, nil
}

// ---- JS conversions used by the query layer ----

// jsWhitespace reports the characters String.prototype.trim removes.
func jsWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

var decimalLiteral = regexp.MustCompile(`^[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$`)

// jsToNumber is the unary plus operator on a string.
func jsToNumber(s string) float64 {
	s = strings.TrimFunc(s, jsWhitespace)
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	if !decimalLiteral.MatchString(s) {
		return math.NaN()
	}
	return parseDecimal(s)
}

func parseDecimal(s string) float64 {
	switch strings.TrimLeft(s, "+") {
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	return f
}

var floatPrefix = regexp.MustCompile(`^[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)`)

// jsParseFloat is the global parseFloat.
func jsParseFloat(s string) float64 {
	s = strings.TrimLeftFunc(s, jsWhitespace)
	m := floatPrefix.FindString(s)
	if m == "" {
		return math.NaN()
	}
	// parseFloat stops before an exponent without digits: "1e" → 1.
	return parseDecimal(m)
}

// jsDate parses a string the way `new Date(s)` does in V8, for the formats
// an NBI client sends: ISO 8601 and the common legacy forms. ok is false for
// an Invalid Date.
func jsDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if m := isoDate.FindStringSubmatch(s); m != nil {
		return parseISODate(m)
	}
	for _, l := range legacyLayouts {
		loc := time.Local
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	// JS toString form with a trailing "(Zone Name)".
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return jsDate(s[:i])
	}
	return time.Time{}, false
}

var isoDate = regexp.MustCompile(`^([+-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$`)

func parseISODate(m []string) (time.Time, bool) {
	atoi := func(s string, def int) int {
		if s == "" {
			return def
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	year := atoi(m[1], 0)
	month, day := atoi(m[2], 1), atoi(m[3], 1)
	hh, mm, ss := atoi(m[4], 0), atoi(m[5], 0), atoi(m[6], 0)
	if month < 1 || month > 12 || day < 1 || day > 31 || hh > 24 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	ms := 0
	if m[7] != "" {
		frac := (m[7] + "00")[:3]
		ms = atoi(frac, 0)
	}
	loc := time.UTC
	if m[4] != "" && m[8] == "" {
		loc = time.Local // date-time forms without an offset are local time
	}
	t := time.Date(year, time.Month(month), day, hh, mm, ss, ms*int(time.Millisecond), loc)
	if m[8] != "" && m[8] != "Z" {
		sign := 1
		if m[8][0] == '-' {
			sign = -1
		}
		oh, om := atoi(m[8][1:3], 0), atoi(m[8][4:6], 0)
		t = t.Add(-time.Duration(sign*(oh*60+om)) * time.Minute)
	}
	return t, true
}

var legacyLayouts = []string{
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.000 -0700",
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.000-0700",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"2006/1/2",
	"01/02/2006 15:04:05",
	"01/02/2006",
	"1/2/2006",
	time.RFC1123,
	time.RFC1123Z,
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	"Mon Jan 02 2006 15:04:05 GMT-0700",
	"Mon Jan 2 2006 15:04:05 GMT-0700",
	"Mon Jan 02 2006",
	"Jan 2 2006 15:04:05",
	"Jan 2 2006",
	"Jan 2, 2006",
	"January 2, 2006",
	"January 2 2006",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"02 Jan 2006 15:04:05 MST",
	"2 Jan 2006",
	"2 January 2006",
}
