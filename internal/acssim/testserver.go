package acssim

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

// TestServer is a started simulator behind httptest NBI and FS servers.
type TestServer struct {
	*Sim
	// NBIURL and FSURL are the base URLs (no trailing slash).
	NBIURL, FSURL string
}

// NewTestServer starts a simulator for a test: NBI and FS on httptest
// servers, the FS URL set for downloads, Start()ed, and the initial devices
// bootstrapped before it returns. before runs first, with the servers
// listening and no device informed yet (e.g. to install provisions and
// presets, as a GenieACS is configured before its CPEs arrive).
// Everything stops at t.Cleanup.
func NewTestServer(t testing.TB, opts Options, before ...func(*TestServer)) *TestServer {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("acssim: %v", err)
	}
	nbi := httptest.NewServer(s.NBI())
	fs := httptest.NewServer(s.FS())
	s.SetFSURL(fs.URL)
	ts := &TestServer{Sim: s, NBIURL: nbi.URL, FSURL: fs.URL}
	for _, f := range before {
		f(ts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx)
	t.Cleanup(func() {
		cancel()
		s.Close()
		nbi.Close()
		fs.Close()
	})
	select {
	case <-s.Ready():
	case <-time.After(2 * time.Minute):
		t.Fatalf("acssim: initial devices did not bootstrap within 2 minutes")
	}
	return ts
}
