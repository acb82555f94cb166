package acssim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/provisions"
)

// testBundle is a simulator behind httptest servers, not Start()ed: tests
// drive sessions with Inform and connection requests.
type testBundle struct {
	sim    *Sim
	nbi    *nbiClient
	fsURL  string
	ctx    context.Context
	ident  *identifyStub
	nbiURL string
}

type setupOpts struct {
	opts     Options
	identify bool
}

func setup(t *testing.T, so setupOpts) *testBundle {
	t.Helper()
	b := &testBundle{ctx: context.Background()}
	o := so.opts
	if so.identify {
		b.ident = newIdentifyStub(t)
		o.ExtDir = fyberpayExtDir(t)
		if o.ExtTimeout == 0 {
			o.ExtTimeout = 10 * time.Second // Node's start-up on a busy machine
		}
		o.ExtEnv = []string{"FYBERPAY_URL=" + b.ident.srv.URL, "FYBERPAY_INTERNAL_KEY=k3y"}
	}
	if o.TimeCompression == 0 {
		o.TimeCompression = 1000
	}
	if o.Now == nil {
		o.Now = strictClock()
	}
	if o.DropDelay == 0 {
		o.DropDelay = 20 * time.Millisecond
	}
	if o.SessionDelay == 0 {
		o.SessionDelay = time.Millisecond
	}
	if o.OnlineThreshold == 0 {
		o.OnlineThreshold = 100 * time.Millisecond
	}
	s, err := New(o)
	require.NoError(t, err)
	nbi := httptest.NewServer(s.NBI())
	fs := httptest.NewServer(s.FS())
	s.SetFSURL(fs.URL)
	t.Cleanup(func() { s.Close(); nbi.Close(); fs.Close() })
	b.sim, b.fsURL, b.nbiURL = s, fs.URL, nbi.URL
	b.nbi = &nbiClient{t: t, base: nbi.URL, c: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	if so.identify {
		installFyberPay(t, b.nbi)
	}
	require.NoError(t, s.BootstrapAll(b.ctx))
	return b
}

// strictClock is the wall clock, but never the same millisecond twice: a
// test runs two sessions within one millisecond, which no CPE does, and
// GenieACS's timestamps (clear's "fetched before", a task's expiry) tell
// sessions apart by their millisecond.
func strictClock() func() time.Time {
	var mu sync.Mutex
	var last time.Time
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if !now.Truncate(time.Millisecond).After(last.Truncate(time.Millisecond)) {
			now = last.Truncate(time.Millisecond).Add(time.Millisecond)
		}
		last = now
		return now
	}
}

// addDevice adds and bootstraps one device of a profile.
func (b *testBundle) addDevice(t *testing.T, profile string) string {
	t.Helper()
	id, err := b.sim.AddDevice(profile, "")
	require.NoError(t, err)
	require.NoError(t, b.sim.Inform(b.ctx, id))
	return id
}

// eventually waits up to 5 s for cond (checked at once, then every 5 ms).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 5*time.Millisecond, "timed out waiting for %s", what)
}

// nbiClient speaks to the simulated NBI like an integration would.
type nbiClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

type nbiResponse struct {
	status string
	code   int
	header http.Header
	body   []byte
}

func (r nbiResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %s", r.body)
	return m
}

func (n *nbiClient) do(method, path, body string) (nbiResponse, error) {
	req, err := http.NewRequest(method, n.base+path, strings.NewReader(body))
	require.NoError(n.t, err)
	if body == "" {
		req.Body, req.ContentLength = nil, 0
	}
	resp, err := n.c.Do(req)
	if err != nil {
		return nbiResponse{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(n.t, err)
	return nbiResponse{status: resp.Status, code: resp.StatusCode, header: resp.Header, body: data}, nil
}

func (n *nbiClient) must(method, path, body string) nbiResponse {
	n.t.Helper()
	r, err := n.do(method, path, body)
	require.NoError(n.t, err)
	return r
}

// devices runs a device query and decodes the list.
func (n *nbiClient) devices(query, projection string) ([]map[string]any, string) {
	n.t.Helper()
	return n.list("devices", query, projection, "")
}

func (n *nbiClient) list(coll, query, projection, extra string) ([]map[string]any, string) {
	n.t.Helper()
	v := url.Values{}
	if query != "" {
		v.Set("query", query)
	}
	if projection != "" {
		v.Set("projection", projection)
	}
	path := "/" + coll + "/?" + v.Encode()
	if extra != "" {
		path += "&" + extra
	}
	r := n.must(http.MethodGet, path, "")
	require.Equal(n.t, http.StatusOK, r.code, "%s", r.body)
	var docs []map[string]any
	require.NoError(n.t, json.Unmarshal(r.body, &docs), "%s", r.body)
	return docs, r.header.Get("total")
}

// task posts a task, with a connection request when cr is set.
func (n *nbiClient) task(id, body string, cr bool) nbiResponse {
	n.t.Helper()
	p := "/devices/" + url.PathEscape(id) + "/tasks"
	if cr {
		p += "?connection_request"
	}
	return n.must(http.MethodPost, p, body)
}

// param reads one parameter attribute from a device document.
func (n *nbiClient) param(id, path, attr string) (any, bool) {
	n.t.Helper()
	docs, _ := n.devices(`{"_id":`+jsonString(id)+`}`, path)
	require.Len(n.t, docs, 1)
	var cur any = docs[0]
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[attr]
	return v, ok
}

func (n *nbiClient) value(id, path string) any {
	n.t.Helper()
	v, ok := n.param(id, path, "_value")
	require.True(n.t, ok, "%s has no _value", path)
	return v
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// identifyStub is the app's /internal/cpe/identify endpoint.
type identifyStub struct {
	srv     *httptest.Server
	mu      sync.Mutex
	calls   []identifyCall
	status  int
	answer  string
	delay   time.Duration
	onCalls func(n int)
}

type identifyCall struct {
	key  string
	ct   string
	body map[string]any
}

func newIdentifyStub(t *testing.T) *identifyStub {
	st := &identifyStub{status: http.StatusOK, answer: `{"deviceId":"x","status":"pending","tags":[]}`}
	st.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		st.mu.Lock()
		st.calls = append(st.calls, identifyCall{key: r.Header.Get("X-FyberPay-Internal-Key"), ct: r.Header.Get("Content-Type"), body: body})
		status, answer, delay := st.status, st.answer, st.delay
		st.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(st.srv.Close)
	return st
}

func (st *identifyStub) count() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.calls)
}

// fyberpayExtDir is a GENIEACS_EXT_DIR holding FyberPay's ext script.
func fyberpayExtDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fyberpay.js"), provisions.ExtScript(), 0o600))
	return dir
}

// installFyberPay uploads FyberPay's provisions and presets through the
// NBI, as the app's start-up bootstrap does.
func installFyberPay(t testing.TB, n *nbiClient) {
	t.Helper()
	for _, name := range provisions.Names() {
		script, err := provisions.Render(name)
		require.NoError(t, err)
		r := n.must(http.MethodPut, "/provisions/"+name, script)
		require.Equal(t, http.StatusOK, r.code, "%s", r.body)
		body, err := json.Marshal(provision.Presets()[name])
		require.NoError(t, err)
		r = n.must(http.MethodPut, "/presets/"+name, string(body))
		require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	}
}

// fakeClock is a simulator clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// installScript stores a provision and a preset running it on one event.
func installScript(t testing.TB, n *nbiClient, name, event, script string) {
	t.Helper()
	r := n.must(http.MethodPut, "/provisions/"+name, script)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	r = n.must(http.MethodPut, "/presets/"+name, `{"weight":0,"channel":"`+name+`","events":{"`+event+`":true},"precondition":"",`+
		`"configurations":[{"type":"provision","name":"`+name+`","args":[]}]}`)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
}

// installHealth installs FyberPay's health provision and preset.
func installHealth(t testing.TB, n *nbiClient) {
	t.Helper()
	script, err := provisions.Render(provisions.Health)
	require.NoError(t, err)
	installScript(t, n, provisions.Health, "2 PERIODIC", script)
}

// diagnosticsResults is a provision that reads every diagnostics result
// again when a test completes.
const diagnosticsResults = `const now = Date.now();
for (const p of ["InternetGatewayDevice.DownloadDiagnostics.*", "InternetGatewayDevice.UploadDiagnostics.*",
    "InternetGatewayDevice.IPPingDiagnostics.*", "Device.IP.Diagnostics.*.*"])
  declare(p, {value: now});`
