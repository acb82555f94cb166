package page

import (
	"net/url"
	"strings"
)

// safePath returns raw when it is a path on this site that every browser
// reads as one, else fallback. It is the only check on a redirect target
// taken from a request (login's next, a form's back).
//
// Accepted: printable ASCII only (a tab, newline or a Unicode look-alike of
// a slash is what browsers strip or fold into "//host"), one leading "/"
// not followed by "/" or "\", no "\" anywhere, no scheme or host once
// parsed, and the same again after percent-decoding the path.
func safePath(raw, fallback string) string {
	if len(raw) == 0 || len(raw) > 2048 || raw[0] != '/' {
		return fallback
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] >= 0x7f || raw[i] == '\\' {
			return fallback
		}
	}
	if len(raw) > 1 && raw[1] == '/' {
		return fallback
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	dec, err := url.PathUnescape(u.EscapedPath())
	if err != nil || strings.HasPrefix(dec, "//") || strings.ContainsFunc(dec, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return fallback
	}
	return raw
}
