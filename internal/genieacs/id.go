package genieacs

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// DeviceID builds GenieACS's device _id from the inform's identity
// (lib/util.ts generateDeviceId): "<OUI>-<ProductClass>-<Serial>", or
// "<OUI>-<Serial>" without a product class, each part with every character
// outside [A-Za-z0-9_] escaped as %XX.
func DeviceID(oui, productClass, serial string) string {
	if productClass == "" {
		return escapeIDPart(oui) + "-" + escapeIDPart(serial)
	}
	return escapeIDPart(oui) + "-" + escapeIDPart(productClass) + "-" + escapeIDPart(serial)
}

func escapeIDPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// devicePath is /devices/<id> with the id URL-encoded again (its own %XX
// escapes become %25XX), as the NBI's route expects.
func devicePath(id string) string { return "/devices/" + pathEscape(id) }

// pathEscape escapes everything outside [A-Za-z0-9_-] — the NBI routes
// accept only [A-Za-z0-9_%-] in ids, tags and names and percent-decode them.
func pathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// tagRE is what tags may contain: tags appear as Tags.<tag> parameters in
// provisions, so a '.' would break them (DESIGN.md §5).
var tagRE = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,128}$`)

// ValidTag reports whether a tag is safe to set.
func ValidTag(tag string) bool { return tagRE.MatchString(tag) }

// fileNameEscape escapes a file name for /files/<name> (the route accepts
// most URL characters, '.' included).
func fileNameEscape(name string) string { return url.PathEscape(name) }

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
