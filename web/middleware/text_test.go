package middleware

import "testing"

func TestJSONProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, field, reason string }{
		{`{"serial":"HWTC0001","oui":"00259E"}`, "", ""},
		{`{"name":"Caf\u00e9 \u2764"}`, "", ""}, // escapes of printable characters
		{`{"name":"Café ❤"}`, "", ""},
		{`{"name":"a\u0000b"}`, "name", "must not contain control characters"},
		{"{\"name\":\"a\x7fb\"}", "name", "must not contain control characters"},                   // raw DEL
		{"{\"wifi\":{\"ssid\":\"a\u0085b\"}}", "wifi.ssid", "must not contain control characters"}, // raw C1 (0xC2 0x85)
		{"{\"ids\":[\"x\",\"\xff\"]}", "ids[1]", "must be valid UTF-8 text"},
		{`{"a\u0001":1}`, "body (a key)", "must not contain control characters"},
		{`{"name":`, "", ""}, // not JSON: the handler answers it
	} {
		field, reason := jsonProblem([]byte(tc.body))
		if field != tc.field || reason != tc.reason {
			t.Errorf("jsonProblem(%q) = %q, %q; want %q, %q", tc.body, field, reason, tc.field, tc.reason)
		}
	}
}
