// Package validation carries per-field input errors from services to the
// edge, where they become a 422 with the field and reason (JSON) or a form
// re-rendered with messages (pages).
package validation

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"
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

// Text trims v and checks its length in characters.
func Text(errs Errors, field, v string, minLen, maxLen int) string {
	v = strings.TrimSpace(v)
	n := len([]rune(v))
	switch {
	case n == 0 && minLen > 0:
		errs.Add(field, "is required")
	case n < minLen:
		errs.Add(field, fmt.Sprintf("must be at least %d characters", minLen))
	case n > maxLen:
		errs.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return v
}
