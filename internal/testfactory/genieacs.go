package testfactory

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/provisions"
)

// GenieACSOpts configures GenieACS.
type GenieACSOpts struct {
	// AppURL is the FyberPay base URL the ext script calls at BOOTSTRAP
	// (with InternalKey). Empty: the bootstrap preset is left out, so
	// devices bootstrap without asking FyberPay (tests that are not about
	// identify).
	AppURL, InternalKey string
	// Breaker tunes the returned client's circuit breaker.
	Breaker genieacs.BreakerSettings
}

// GenieACS starts a GenieACS simulator configured the way FyberPay's
// start-up bootstrap configures GenieACS (its provisions, presets and the
// speed-test file, installed through the NBI before any device informs),
// with FyberPay's ext script in its GENIEACS_EXT_DIR, and a client for it.
func GenieACS(t testing.TB, opts acssim.Options, g GenieACSOpts) (*acssim.TestServer, *genieacs.Client) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fyberpay.js"), provisions.ExtScript(), 0o600); err != nil {
		t.Fatalf("testfactory.GenieACS: %v", err)
	}
	opts.ExtDir = dir
	if opts.ExtTimeout == 0 {
		// GenieACS gives an extension 3 s, Node's start-up included; a
		// busy CI machine can take most of that to start Node. Tests that
		// are about the timeout set it.
		opts.ExtTimeout = 10 * time.Second
	}
	if g.AppURL != "" {
		opts.ExtEnv = append(opts.ExtEnv, "FYBERPAY_URL="+g.AppURL, "FYBERPAY_INTERNAL_KEY="+g.InternalKey)
	}
	var client *genieacs.Client
	sim := acssim.NewTestServer(t, opts, func(ts *acssim.TestServer) {
		u, err := url.Parse(ts.NBIURL)
		if err != nil {
			t.Fatalf("testfactory.GenieACS: %v", err)
		}
		if client, err = genieacs.New(genieacs.Config{NBIURL: u, Timeout: 5 * time.Second, Breaker: g.Breaker}); err != nil {
			t.Fatalf("testfactory.GenieACS: %v", err)
		}
		if _, err := provision.Bootstrap(context.Background(), client); err != nil {
			t.Fatalf("testfactory.GenieACS: install FyberPay's provisions: %v", err)
		}
		if g.AppURL == "" {
			if err := client.DeletePreset(context.Background(), provisions.Bootstrap); err != nil {
				t.Fatalf("testfactory.GenieACS: %v", err)
			}
		}
	})
	return sim, client
}
