package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/provisions"
)

// suite is what every e2e test shares: one server process, one browser.
var suite struct {
	baseURL string
	dbURL   string
	sim     *simServer
	bin     string
	// opsDownGID is the GenieACS id of opsDown, down since the start.
	opsDownGID string
	env        []string
	browser    playwright.Browser
	skip       string // reason the suite cannot run (only when not required)
}

// Staff created through the CLI before the server starts.
const (
	orgSlug     = "acme"
	ownerEmail  = "owner@acme.example"
	adminEmail  = "admin@acme.example"
	viewerEmail = "viewer@acme.example"
	// wrongPwEmail is only ever given a wrong password: the failures it
	// collects never throttle the accounts parallel tests sign in with.
	wrongPwEmail  = "wrong-password@acme.example"
	staffPassword = "e2e-password-123"
	internalKey   = "e2e-internal-key-0123456789abcdef"
)

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		if os.Getenv("E2E_REQUIRED") == "1" {
			os.Exit(1)
		}
		suite.skip = err.Error()
		code = m.Run()
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	ctx := context.Background()
	driver := os.Getenv("PLAYWRIGHT_DRIVER_PATH")
	if driver == "" {
		return 0, fmt.Errorf("PLAYWRIGHT_DRIVER_PATH is not set: run `make e2e-setup` (it installs Debian chromium and the playwright driver) or `make e2e`")
	}
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		return 0, fmt.Errorf("chromium not found at %s: run `make e2e-setup`", chromium)
	}

	tmp, err := os.MkdirTemp("", "fyberpay-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	suite.bin = filepath.Join(tmp, "fyberpay")
	build := exec.Command("go", "build", "-o", suite.bin, "./cmd/fyberpay")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build fyberpay: %v\n%s", err, out)
	}

	dbURL, drop, err := dbtest.Create(ctx)
	if err != nil {
		return 0, err
	}
	defer drop()
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	nbiPort, _ := freePort()
	fsPort, _ := freePort()
	suite.baseURL = "http://127.0.0.1:" + port
	suite.env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"HTTP_ADDR=127.0.0.1:"+port,
		"PUBLIC_URL="+suite.baseURL,
		"SESSION_KEYS=c2Vzc2lvbi1rZXktZm9yLWUyZS10ZXN0cy1vbmx5LTMyYnl0ZXMhIQ==",
		"ENCRYPTION_KEY=k1:ZW5jcnlwdGlvbi1rZXktZm9yLWUyZS10ZXN0cy0zMiE=",
		"PASSWORD_HASH_MEMORY_KIB=8192",
		"WEBHOOK_ALLOW_PRIVATE=true",
		"GENIEACS_INTERNAL_KEY="+internalKey,
		"GENIEACS_NBI_URL=http://127.0.0.1:"+nbiPort,
		"GENIEACS_FS_URL=http://127.0.0.1:"+fsPort,
		"TASK_FOLLOW_INTERVAL=1s",
		"BULK_RATE=100",
		"FAULT_POLL_INTERVAL=3s",
		// Devices inform every 5 s (the simulator's time runs 60× faster)
		// and the sync brings their informs every 10 s: a minute (the
		// shortest OFFLINE_AFTER) tells a device that stopped (opsDown)
		// from the others within the run.
		"SYNC_INTERVAL=10s",
		"FIRMWARE_FOLLOW_INTERVAL=1s",
		"GENIEACS_PROBE_INTERVAL=1s", // the outage banner within seconds
		"OFFLINE_AFTER=1m",
		"OPERATOR_ORG="+orgSlug, // acme runs the installation; ops is a tenant
		// Tests run in parallel and each browser context signs in from its
		// own address (X-Forwarded-For through a trusted local proxy, see
		// newPage): one test's sign-ins never count against another's.
		"TRUSTED_PROXIES=127.0.0.1/32",
	)
	suite.dbURL = dbURL

	// The operator CLI seeds the organization and staff, as in production.
	if _, err := cli("", "org", "create", "--slug", orgSlug, "--name", "Acme Fibre"); err != nil {
		return 0, err
	}
	for _, u := range []struct{ email, role string }{{ownerEmail, "owner"}, {adminEmail, "admin"}, {viewerEmail, "viewer"}, {wrongPwEmail, "viewer"}} {
		if _, err := cli(staffPassword+"\n", "user", "create", "--org", orgSlug, "--email", u.email, "--role", u.role); err != nil {
			return 0, err
		}
	}

	// A GenieACS simulator beside the server, in this process so tests can
	// add devices, drive informs and stop it (see simServer).
	// Its ext() calls run FyberPay's ext script in Node, as genieacs-cwmp
	// does; its devices first bootstrap once the app's start-up job has
	// installed the provisions and presets.
	extDir, err := os.MkdirTemp("", "fyberpay-e2e-ext-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(extDir)
	if err := os.WriteFile(filepath.Join(extDir, "fyberpay.js"), provisions.ExtScript(), 0o600); err != nil {
		return 0, err
	}
	// Devices start with a 600 s inform interval; FyberPay's bootstrap
	// provision sets 300 (5 s of wall time at 60x).
	sim, err := acssim.New(acssim.Options{Devices: 40, Seed: 99, TimeCompression: 60, InformInterval: 600 * time.Second,
		SessionDelay: 5 * time.Millisecond, AwaitPreset: provisions.Bootstrap,
		// GenieACS's 3 s extension budget includes Node's start-up, which a
		// busy CI machine (every package's tests and lint at once) can take
		// most of.
		ExtTimeout: 10 * time.Second,
		ExtDir:     extDir, ExtEnv: []string{"FYBERPAY_URL=" + suite.baseURL, "FYBERPAY_INTERNAL_KEY=" + internalKey}})
	if err != nil {
		return 0, err
	}
	suite.sim = &simServer{Sim: sim, nbiAddr: "127.0.0.1:" + nbiPort, fsAddr: "127.0.0.1:" + fsPort}
	sim.SetFSURL("http://" + suite.sim.fsAddr)
	if err := suite.sim.start(); err != nil {
		return 0, err
	}
	simCtx, stopSim := context.WithCancel(ctx)
	defer func() {
		stopSim()
		suite.sim.stop()
		sim.Close()
	}()

	var serverLog bytes.Buffer
	srv := exec.Command(suite.bin, "serve")
	srv.Env = suite.env
	srv.Stdout, srv.Stderr = &serverLog, &serverLog
	if err := srv.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = srv.Process.Signal(os.Interrupt)
		_, _ = srv.Process.Wait()
		if os.Getenv("E2E_SERVER_LOG") != "" {
			fmt.Fprintln(os.Stderr, serverLog.String())
		}
	}()
	if err := waitHealthy(suite.baseURL, 20*time.Second); err != nil {
		return 0, fmt.Errorf("%v; server log:\n%s", err, serverLog.String())
	}
	sim.Start(simCtx) // devices bootstrap (and identify) once the server has configured the simulator
	select {
	case <-sim.Ready():
	case <-time.After(2 * time.Minute):
		return 0, fmt.Errorf("the simulator's devices did not bootstrap (provisions and presets never installed?); server log:\n%s", serverLog.String())
	}
	// ops's third device informs once and goes down at once: by the time
	// the ops tests run it is offline (OFFLINE_AFTER) on their dashboard.
	downID, err := sim.AddDevice(acssim.ProfileZTEF660, opsDown)
	if err != nil {
		return 0, err
	}
	if err := sim.Inform(ctx, downID, "0 BOOTSTRAP,1 BOOT"); err != nil {
		return 0, fmt.Errorf("opsDown bootstrap: %w", err)
	}
	if err := sim.SetOnline(downID, false); err != nil {
		return 0, err
	}
	suite.opsDownGID = downID

	opts := &playwright.RunOptions{DriverDirectory: driver, SkipInstallBrowsers: true}
	if err := playwright.Install(opts); err != nil {
		return 0, fmt.Errorf("playwright driver at %s: %w (run `make e2e-setup`)", driver, err)
	}
	pw, err := playwright.Run(opts)
	if err != nil {
		return 0, fmt.Errorf("start playwright: %w", err)
	}
	defer pw.Stop()
	browser, err := pw.Chromium.Launch(playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(chromium),
		Headless:       playwright.Bool(true),
		Args: []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync"},
	})
	if err != nil {
		return 0, fmt.Errorf("launch chromium: %w", err)
	}
	defer browser.Close()
	suite.browser = browser
	return m.Run(), nil
}

// cli runs the fyberpay binary with the suite's environment.
func cli(stdin string, args ...string) (string, error) {
	cmd := exec.Command(suite.bin, args...)
	cmd.Env = suite.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("fyberpay %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// handedOut are the ports freePort gave: the kernel may offer a port again
// once its listener is closed, and two of ours (the server's and the
// simulator's) must never meet.
var handedOut = struct {
	sync.Mutex
	ports map[string]bool
}{ports: map[string]bool{}}

// freePort is a free local port none of this process's callers got before.
func freePort() (string, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		_, port, _ := net.SplitHostPort(l.Addr().String())
		l.Close()
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port, nil
		}
	}
}

func waitHealthy(base string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server not healthy at %s after %s", base, d)
}

// clients numbers the browser contexts: each gets its own client address.
var clients atomic.Int32

// newPage opens a fresh browser context (own cookies, own client address:
// a sign-in throttle per address never couples parallel tests) and page;
// on failure a full-page screenshot is saved under e2e/artifacts.
func newPage(t *testing.T) playwright.Page {
	t.Helper()
	return newPageAt(t, suite.baseURL)
}

// newPageAt is newPage on the server at base (a test's own server).
func newPageAt(t *testing.T, base string) playwright.Page {
	t.Helper()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	n := clients.Add(1)
	addr := fmt.Sprintf("198.51.100.%d", 1+n%254) // TEST-NET-2: never a real client
	// Staff browse from Nairobi: an organization's first sign-in takes the
	// browser's time zone, and pages show times in it.
	bctx, err := suite.browser.NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(base),
		ExtraHttpHeaders: map[string]string{"X-Forwarded-For": addr}, TimezoneId: playwright.String("Africa/Nairobi")})
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	page, err := bctx.NewPage()
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	page.SetDefaultTimeout(20000) // actions and navigations; see expect
	t.Cleanup(func() {
		if t.Failed() {
			dir := "artifacts"
			_ = os.MkdirAll(dir, 0o755)
			name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
			path := filepath.Join(dir, name+".png")
			if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(path), FullPage: playwright.Bool(true)}); err == nil {
				t.Logf("screenshot: e2e/%s (url %s)", path, page.URL())
			}
		}
		_ = bctx.Close()
	})
	return page
}

// simServer serves the in-process simulator on fixed addresses and can be
// stopped and started again (the simulator's state survives), as a GenieACS
// restart would look to the server.
type simServer struct {
	*acssim.Sim
	nbiAddr, fsAddr string
	mu              sync.Mutex
	servers         []*http.Server
}

func (s *simServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range []struct {
		addr string
		h    http.Handler
	}{{s.nbiAddr, s.NBI()}, {s.fsAddr, s.FS()}} {
		var ln net.Listener
		var err error
		for i := 0; i < 50; i++ { // the port may linger briefly after a stop
			if ln, err = net.Listen("tcp", l.addr); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: l.h}
		go func() { _ = srv.Serve(ln) }()
		s.servers = append(s.servers, srv)
	}
	return nil
}

func (s *simServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.servers {
		_ = srv.Close()
	}
	s.servers = nil
}
