// Package webtest is the shared HTTP test harness of web/ and its packages
// (page, api, callback): Setup builds the whole application through
// internal/app, as `serve` does (same configuration, services and router),
// on a fresh database (internal/dbtest) behind an httptest server, and
// Browser and API are the clients the tests drive it with.
//
// Only tests import it. internal/app imports web, so no non-test package of
// web/ may import webtest; external test packages (page_test, api_test,
// callback_test, web_test) may.
package webtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/user"
)

// LogBuffer collects the server's log (JSON, debug level) from concurrent
// handlers.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything logged so far.
func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// InternalKey is GENIEACS_INTERNAL_KEY in tests.
const InternalKey = "internal-key-for-tests-0123456789"

// MetricsToken opens /metrics in tests.
const MetricsToken = "metrics-token-for-tests-0123456789"

// Bundle is one running application on its own database, and the fixtures
// every test starts from: acme (OrgA, the operator organization) with an
// owner, an admin, a technician and a viewer; beta (OrgB, a tenant) with an
// admin; API keys of both.
type Bundle struct {
	Pool *pgxpool.Pool    // the test's own database
	Srv  *httptest.Server // the application's router (app.Web)
	Logs *LogBuffer       // what the server logged
	Box  *secret.Box      // the application's encryption box
	// Sim and ACS are the GenieACS simulator and its client (SetupWithSim
	// only).
	Sim *acssim.TestServer
	ACS *genieacs.Client
	// Router is the application's router (its routes).
	Router *echo.Echo
	// Metrics is the application's registry (what /metrics serves).
	Metrics *metrics.Metrics
	// Sync is the application's sync service: tests run its passes.
	Sync *devsync.Service

	OrgA, OrgB                     org.Org
	OwnerA, AdminA, TechA, ViewerA user.User
	AdminB                         user.User
	KeyA, KeyViewerA, KeyB         string // plaintext API keys (admin, viewer, admin)
	KeyAID                         apikey.Key
}

// Setup builds the server with a plain-http PUBLIC_URL, without GenieACS
// (every device action is refused).
func Setup(t testing.TB) *Bundle {
	t.Helper()
	return SetupWith(t, "http://127.0.0.1")
}

// SetupWith builds the server with the given PUBLIC_URL, without GenieACS
// (every device action is refused).
func SetupWith(t testing.TB, publicURL string) *Bundle {
	t.Helper()
	return build(t, publicURL, 0)
}

// SetupWithSim builds the server against a GenieACS simulator with the given
// number of devices, and a River worker following device tasks.
func SetupWithSim(t testing.TB, devices int) *Bundle {
	t.Helper()
	return build(t, "http://127.0.0.1", devices)
}

func build(t testing.TB, publicURL string, simDevices int) *Bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	logs := &LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pub, _ := url.Parse(publicURL)
	cfg := &config.Config{
		PublicURL:             pub,
		SessionKeys:           [][]byte{bytes.Repeat([]byte{1}, 32)},
		EncryptionKeys:        []config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{7}, 32)}},
		SessionTTL:            time.Hour,
		GenieACSInternalKey:   InternalKey,
		MetricsToken:          MetricsToken,
		OperatorOrg:           "acme", // orgA runs the installation; orgB is a tenant
		PasswordHashMemoryKiB: testfactory.FastHashKiB,
		WebhookAllowPrivate:   true,
		// Small firmware limits: the tests pass them without sending much.
		FirmwareMaxBytes:     256 << 10,
		FirmwareJSONMaxBytes: 64 << 10,
	}
	opts := app.Options{Logger: logger}
	var sim *acssim.TestServer
	if simDevices > 0 {
		sim, opts.GenieACS = testfactory.GenieACS(t, acssim.Options{Devices: simDevices, Seed: 5, SessionDelay: time.Millisecond,
			OnlineThreshold: 300 * time.Millisecond, TimeCompression: 60}, testfactory.GenieACSOpts{Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
		// GENIEACS_NBI_URL, as the Integration and System pages name it
		// (the client is the one above).
		cfg.GenieACSNBIURL, _ = url.Parse(sim.NBIURL)
		opts.TaskFollowEvery, opts.InlineWait, opts.FSURL = 200*time.Millisecond, 5*time.Second, sim.FSURL
		opts.FirmwareFollowEvery = 100 * time.Millisecond
	}
	a, err := app.New(cfg, pool, opts)
	require.NoError(t, err)
	if sim != nil {
		// Production's workers, polling fast; the tests run sync and fault
		// passes themselves.
		d := a.Workers()
		d.Fast, d.Sync, d.Faults = true, nil, nil
		wc, err := jobs.NewWorkerClient(d)
		require.NoError(t, err)
		require.NoError(t, wc.Start(context.Background()))
		t.Cleanup(func() { _ = wc.Stop(context.Background()) })
	}
	webCtx, cancel := context.WithCancel(context.Background())
	e, waitWeb, err := a.Web(webCtx)
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); waitWeb() })
	// Every JSON API exchange of the test is held to the OpenAPI document.
	srv := httptest.NewServer(newContract(t).wrap(e))
	t.Cleanup(srv.Close)

	b := &Bundle{Pool: pool, Srv: srv, Logs: logs, Box: a.Box, Sim: sim, ACS: a.GenieACS, Sync: a.Sync, Metrics: a.Metrics, Router: e}
	b.OrgA = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme"), Name: testfactory.Ptr("Acme Fibre")})
	b.OrgB = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("beta"), Name: testfactory.Ptr("Beta Net")})
	role := func(r actor.Role) *testfactory.UserOpts { return &testfactory.UserOpts{Role: &r} }
	b.OwnerA = testfactory.User(ctx, t, pool, b.OrgA, role(actor.RoleOwner))
	b.AdminA = testfactory.User(ctx, t, pool, b.OrgA, role(actor.RoleAdmin))
	b.TechA = testfactory.User(ctx, t, pool, b.OrgA, role(actor.RoleTechnician))
	b.ViewerA = testfactory.User(ctx, t, pool, b.OrgA, role(actor.RoleViewer))
	b.AdminB = testfactory.User(ctx, t, pool, b.OrgB, role(actor.RoleAdmin))
	b.KeyAID, b.KeyA = testfactory.APIKey(ctx, t, pool, b.OrgA, actor.RoleAdmin)
	_, b.KeyViewerA = testfactory.APIKey(ctx, t, pool, b.OrgA, actor.RoleViewer)
	_, b.KeyB = testfactory.APIKey(ctx, t, pool, b.OrgB, actor.RoleAdmin)
	return b
}

// pollEvery is how often Wait checks its condition.
const pollEvery = 50 * time.Millisecond

// Wait calls done every pollEvery until it returns true, and once more when
// timeout has passed; it reports whether done returned true. done runs on
// the caller's goroutine, so it may use require (unlike require.Eventually's
// condition).
func Wait(timeout time.Duration, done func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !done() {
		select {
		case <-deadline.C:
			return done()
		case <-tick.C:
		}
	}
	return true
}
