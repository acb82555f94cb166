package page

import "testing"

func TestSafePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ raw, want string }{
		{"/devices", "/devices"},
		{"/devices?q=HWTC%2001&page=2", "/devices?q=HWTC%2001&page=2"},
		{"/devices/4f0c/tasks#latest", "/devices/4f0c/tasks#latest"},
		{"/", "/"},
		// off-site or not a path
		{"", "/fb"},
		{"devices", "/fb"},
		{"//evil.example", "/fb"},
		{"///evil.example", "/fb"},
		{"https://evil.example/", "/fb"},
		{"javascript:alert(1)", "/fb"},
		{"/\\evil.example", "/fb"},
		{"/\\/evil.example", "/fb"},
		{"/devices\\..\\evil", "/fb"},
		// controls browsers strip, turning "/<c>/host" into "//host"
		{"/\t/evil.example", "/fb"},
		{"/\n/evil.example", "/fb"},
		{"/\r/evil.example", "/fb"},
		{"/\x00/evil.example", "/fb"},
		{"/\x7f/evil.example", "/fb"},
		{"/ /evil.example", "/fb"},
		// percent-encoded slashes, backslashes and controls
		{"/%09/evil.example", "/fb"},
		{"/%5C/evil.example", "/fb"},
		{"/%5c%5cevil.example", "/fb"},
		{"/%2F/evil.example", "/fb"},
		{"/%0a/evil.example", "/fb"},
		{"/%zz", "/fb"},
		// Unicode look-alikes of "/" and "\", and any non-ASCII
		{"/\uff0f/evil.example", "/fb"}, // fullwidth solidus
		{"/\u2215/evil.example", "/fb"}, // division slash
		{"/\u29f5evil.example", "/fb"},  // reverse solidus operator
		{"/\u3000/evil.example", "/fb"}, // ideographic space
		{"/\u200b/evil.example", "/fb"}, // zero-width space
		{"/devices/caf\u00e9", "/fb"},   // non-ASCII must come percent-encoded
		{"/devices/caf%C3%A9", "/devices/caf%C3%A9"},
	} {
		if got := safePath(tc.raw, "/fb"); got != tc.want {
			t.Errorf("safePath(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
