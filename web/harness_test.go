package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/user"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// internalKey is GENIEACS_INTERNAL_KEY in tests.
const internalKey = "internal-key-for-tests-0123456789"

type testBundle struct {
	pool *pgxpool.Pool
	srv  *httptest.Server
	logs *syncBuffer
	box  *secret.Box
	// sim and acs are the GenieACS simulator and its client (setupWithSim
	// only).
	sim *acssim.TestServer
	acs *genieacs.Client

	orgA, orgB                     org.Org
	ownerA, adminA, techA, viewerA user.User
	adminB                         user.User
	keyA, keyViewerA, keyB         string // plaintext API keys (admin, viewer, admin)
	keyAID                         apikey.Key
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	return setupWith(t, "http://127.0.0.1")
}

// setupWith builds the server with the given PUBLIC_URL, without GenieACS
// (every device action is refused).
func setupWith(t testing.TB, publicURL string) *testBundle {
	t.Helper()
	return build(t, publicURL, 0)
}

// setupWithSim builds the server against a GenieACS simulator with the given
// number of devices, and a River worker following device tasks.
func setupWithSim(t testing.TB, devices int) *testBundle {
	t.Helper()
	return build(t, "http://127.0.0.1", devices)
}

func build(t testing.TB, publicURL string, simDevices int) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pub, _ := url.Parse(publicURL)
	cfg := &config.Config{
		PublicURL:             pub,
		SessionKeys:           [][]byte{bytes.Repeat([]byte{1}, 32)},
		EncryptionKeys:        []config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{7}, 32)}},
		SessionTTL:            time.Hour,
		GenieACSInternalKey:   internalKey,
		OperatorOrg:           "acme", // orgA runs the installation; orgB is a tenant
		PasswordHashMemoryKiB: testfactory.FastHashKiB,
		WebhookAllowPrivate:   true,
	}
	opts := app.Options{Logger: logger}
	var sim *acssim.TestServer
	if simDevices > 0 {
		sim, opts.GenieACS = testfactory.GenieACS(t, acssim.Options{Devices: simDevices, Seed: 5, SessionDelay: time.Millisecond,
			OnlineThreshold: 300 * time.Millisecond, TimeCompression: 60}, testfactory.GenieACSOpts{Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
		opts.TaskFollowEvery, opts.InlineWait, opts.FSURL = 200*time.Millisecond, 5*time.Second, sim.FSURL
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
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)

	b := &testBundle{pool: pool, srv: srv, logs: logs, box: a.Box, sim: sim, acs: a.GenieACS}
	b.orgA = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme"), Name: testfactory.Ptr("Acme Fibre")})
	b.orgB = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("beta"), Name: testfactory.Ptr("Beta Net")})
	role := func(r actor.Role) *testfactory.UserOpts { return &testfactory.UserOpts{Role: &r} }
	b.ownerA = testfactory.User(ctx, t, pool, b.orgA, role(actor.RoleOwner))
	b.adminA = testfactory.User(ctx, t, pool, b.orgA, role(actor.RoleAdmin))
	b.techA = testfactory.User(ctx, t, pool, b.orgA, role(actor.RoleTechnician))
	b.viewerA = testfactory.User(ctx, t, pool, b.orgA, role(actor.RoleViewer))
	b.adminB = testfactory.User(ctx, t, pool, b.orgB, role(actor.RoleAdmin))
	b.keyAID, b.keyA = testfactory.APIKey(ctx, t, pool, b.orgA, actor.RoleAdmin)
	_, b.keyViewerA = testfactory.APIKey(ctx, t, pool, b.orgA, actor.RoleViewer)
	_, b.keyB = testfactory.APIKey(ctx, t, pool, b.orgB, actor.RoleAdmin)
	return b
}

// browser is a cookie-keeping client that does not follow redirects and
// remembers the CSRF token of the last page it read.
type browser struct {
	t    testing.TB
	c    *http.Client
	base string
	csrf string
}

func (b *testBundle) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, base: b.srv.URL, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status int
	header http.Header
	doc    *goquery.Document
	body   string
}

// testid finds elements by data-testid.
func (p page) testid(id string) *goquery.Selection { return p.doc.Find(`[data-testid="` + id + `"]`) }

func (br *browser) do(req *http.Request) page {
	br.t.Helper()
	resp, err := br.c.Do(req)
	require.NoError(br.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(br.t, err)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	require.NoError(br.t, err)
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		br.csrf = tok
	}
	return page{status: resp.StatusCode, header: resp.Header, doc: doc, body: string(raw)}
}

func (br *browser) get(path string) page {
	br.t.Helper()
	req, err := http.NewRequest(http.MethodGet, br.base+path, nil)
	require.NoError(br.t, err)
	return br.do(req)
}

// post submits a form with the remembered CSRF token.
func (br *browser) post(path string, form url.Values) page {
	br.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" && br.csrf != "" {
		form.Set("_csrf", br.csrf)
	}
	return br.postRaw(path, form, nil)
}

func (br *browser) postRaw(path string, form url.Values, header http.Header) page {
	br.t.Helper()
	req, err := http.NewRequest(http.MethodPost, br.base+path, strings.NewReader(form.Encode()))
	require.NoError(br.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return br.do(req)
}

// htmx posts like htmx does: CSRF in a header, HX-Request set.
func (br *browser) htmx(path string, form url.Values) page {
	br.t.Helper()
	return br.postRaw(path, form, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {br.csrf}})
}

func (br *browser) login(email, password string) page {
	br.t.Helper()
	br.get("/login")
	return br.post("/login", url.Values{"email": {email}, "password": {password}})
}

// loggedIn returns a browser signed in as u.
func (b *testBundle) loggedIn(t testing.TB, u user.User) *browser {
	t.Helper()
	br := b.browser(t)
	p := br.login(u.Email, testfactory.Password)
	require.Equal(t, http.StatusSeeOther, p.status, "login of %s: %s", u.Email, p.body)
	br.get("/") // pick up a CSRF token
	return br
}

type apiResp struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errCode returns error.code of a JSON error body.
func (r apiResp) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r apiResp) errFields() map[string]any {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

func (r apiResp) items() []any {
	it, _ := r.body["items"].([]any)
	return it
}

// api calls the JSON API with a bearer key ("" for none).
func (b *testBundle) api(t testing.TB, method, path, key, body string) apiResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResp{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.body), "JSON body: %s", raw)
	}
	return r
}

// pollEvery is how often wait checks its condition.
const pollEvery = 50 * time.Millisecond

// wait calls done every pollEvery until it returns true, and once more when
// timeout has passed; it reports whether done returned true. done runs on
// the caller's goroutine, so it may use require (unlike require.Eventually's
// condition).
func wait(timeout time.Duration, done func() bool) bool {
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
