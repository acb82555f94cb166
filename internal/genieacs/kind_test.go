package genieacs

import (
	"context"
	"errors"
	"testing"
)

// A call's metric labels name its method and collection, never an id; its
// outcome names what happened.
func TestCallLabels(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/devices/": "GET /devices",
		"/devices/00259E-HG8245H-4857544300000001":  "GET /devices/:id",
		"/devices/00259E-HG8245H-48575443/tasks":    "GET /devices/:id/tasks",
		"/devices/344B50-F660-ZTEG/tags/org%3Aacme": "GET /devices/:id/tags",
		"/tasks/6630c1e2/retry":                     "GET /tasks/:id/retry",
		"/provisions/fyberpay-bootstrap":            "GET /provisions/:id",
		"/files/":                                   "GET /files",
	} {
		if got := callKind("GET", path); got != want {
			t.Errorf("callKind(%q) = %q, want %q", path, got, want)
		}
	}
	for want, err := range map[string]error{
		"ok": nil, "circuit_open": ErrCircuitOpen, "http_5xx": &HTTPError{Status: 503}, "http_4xx": &HTTPError{Status: 404},
		"canceled": context.Canceled, "timeout": context.DeadlineExceeded, "dropped": ErrDropped, "error": errors.New("dial tcp: refused"),
	} {
		if got := callOutcome(err); got != want {
			t.Errorf("callOutcome(%v) = %q, want %q", err, got, want)
		}
	}
}
