// Package validation carries per-field input errors from services to the
// edge, where they become a 422 with the field and reason (JSON) or a form
// re-rendered with messages (pages).
package validation

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"unicode/utf8"
)

// Errors maps a field name to a human-readable reason. A non-empty Errors is
// an error.
type Errors map[string]string

// Add records the first reason for field.
func (e Errors) Add(field, reason string) {
	if _, ok := e[field]; !ok {
		e[field] = reason
	}
}

// Err returns e as an error when it holds any field, else nil.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", k, e[k]))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Email normalises and checks an e-mail address.
func Email(errs Errors, field, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case v == "":
		errs.Add(field, "is required")
	case len(v) > 254:
		errs.Add(field, "must be at most 254 characters")
	default:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
			errs.Add(field, "must be an e-mail address such as noc@example.net")
		}
	}
	return v
}

// Text trims v and checks it holds the text rule (TextProblem) and its
// length in characters.
func Text(errs Errors, field, v string, minLen, maxLen int) string {
	v = strings.TrimSpace(v)
	n := len([]rune(v))
	problem := TextProblem(v)
	switch {
	case problem != "":
		errs.Add(field, problem)
	case n == 0 && minLen > 0:
		errs.Add(field, "is required")
	case n < minLen:
		errs.Add(field, fmt.Sprintf("must be at least %d characters", minLen))
	case n > maxLen:
		errs.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return v
}

// Reasons text fails the rule every edge applies (forms, JSON, query and
// path parameters): PostgreSQL cannot store NUL or invalid UTF-8, and
// other control characters only hide or forge what people read.
const (
	ReasonInvalidUTF8 = "must be valid UTF-8 text"
	ReasonControl     = "must not contain control characters"
)

// TextProblem returns why s breaks the text rule, or "" when it holds: s
// is valid UTF-8 with no C0 control but tab, line feed and carriage
// return, no DEL and no C1 control.
func TextProblem(s string) string {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f {
				return ReasonControl
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return ReasonInvalidUTF8
		}
		if r >= 0x80 && r <= 0x9f {
			return ReasonControl
		}
		i += size
	}
	return ""
}

// CleanText reports whether s holds the text rule (TextProblem is "").
func CleanText(s string) bool { return TextProblem(s) == "" }

// Unstorable says why a PostgreSQL text column would refuse s: "nul byte"
// or "invalid UTF-8" ("" when it takes it). encoding/json turns invalid
// UTF-8 and lone surrogates into U+FFFD, but \u0000 into a NUL.
func Unstorable(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "nul byte"
	case !utf8.ValidString(s):
		return "invalid UTF-8"
	}
	return ""
}

// Storable is s as a PostgreSQL text column takes it, for text that comes
// from outside and is kept anyway (GenieACS faults and answers, device
// values): NUL removed, invalid UTF-8 replaced by U+FFFD, at most maxBytes
// bytes, cut on a character boundary.
func Storable(s string, maxBytes int) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= maxBytes {
		return s
	}
	for maxBytes > 0 && !utf8.RuneStart(s[maxBytes]) {
		maxBytes--
	}
	return s[:maxBytes]
}
