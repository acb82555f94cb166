package cpe

import (
	"encoding/hex"
	"regexp"
	"strings"
)

var hexSerial = regexp.MustCompile(`^[0-9A-F]{16}$`)

// NormalizeSerial returns the label form of a serial, upper-case. GPON ONTs
// carry a 4-letter vendor id plus 8 hex digits (HWTCA1B2C3D4); Huawei
// reports it over TR-069 with the vendor id hex-encoded (48575443A1B2C3D4).
// Both give the same result.
func NormalizeSerial(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if hexSerial.MatchString(s) {
		vendor, err := hex.DecodeString(s[:8])
		if err == nil && isUpperLetters(vendor) {
			return string(vendor) + s[8:]
		}
	}
	return s
}

func isUpperLetters(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// TagSafe maps a name to the characters GenieACS tags may hold. Tags appear
// as Tags.<tag> parameters in provisions, so a '.' (or anything outside
// [A-Za-z0-9_:-]) would break them (DESIGN.md §5); each such character
// becomes '_'.
func TagSafe(s string) string {
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

// Tag prefixes the service manages on GenieACS devices.
const (
	TagOrg  = "org:"
	TagSub  = "sub:"
	TagPlan = "plan:"
)

// OrgTag, SubscriberTag and PlanTag build the managed tags.
func OrgTag(slug string) string            { return TagOrg + TagSafe(slug) }
func SubscriberTag(username string) string { return TagSub + TagSafe(username) }
func PlanTag(group string) string          { return TagPlan + TagSafe(group) }
