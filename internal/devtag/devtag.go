// Package devtag names the GenieACS device tags FyberPay manages: the
// organization's (org:), the subscriber's (sub:) and the plan's (plan:).
// It imports nothing of this module, so the packages that decide a tag
// (cpe at identify and push, subscriber checking that two usernames do not
// share one, action's bulk tags) agree on it without depending on each
// other.
package devtag

import "strings"

// Prefixes of the managed tags.
const (
	PrefixOrg  = "org:"
	PrefixSub  = "sub:"
	PrefixPlan = "plan:"
)

// Safe maps a name to the characters GenieACS tags may hold. Tags appear
// as Tags.<tag> parameters in provisions, so a '.' (or anything outside
// [A-Za-z0-9_:-]) would break them (DESIGN.md §5); each such character
// becomes '_'.
func Safe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == ':', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Org, Subscriber and Plan build the managed tags.
func Org(slug string) string            { return PrefixOrg + Safe(slug) }
func Subscriber(username string) string { return PrefixSub + Safe(username) }
func Plan(group string) string          { return PrefixPlan + Safe(group) }

// Managed reports whether tag is one FyberPay manages (any of the three
// prefixes).
func Managed(tag string) bool {
	return strings.HasPrefix(tag, PrefixOrg) || strings.HasPrefix(tag, PrefixSub) || strings.HasPrefix(tag, PrefixPlan)
}
