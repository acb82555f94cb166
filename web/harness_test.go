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

// LogBuffer collects log output from concurrent handlers.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// InternalKey is GENIEACS_INTERNAL_KEY in tests.
const InternalKey = "internal-key-for-tests-0123456789"

type Bundle struct {
	Pool *pgxpool.Pool
	Srv  *httptest.Server
	Logs *LogBuffer
	Box  *secret.Box
	// Sim and ACS are the GenieACS simulator and its client (SetupWithSim
	// only).
	Sim *acssim.TestServer
	ACS *genieacs.Client

	OrgA, OrgB                     org.Org
	OwnerA, AdminA, TechA, ViewerA user.User
	AdminB                         user.User
	KeyA, KeyViewerA, KeyB         string // plaintext API keys (admin, viewer, admin)
	KeyAID                         apikey.Key
}

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

	b := &Bundle{Pool: pool, Srv: srv, Logs: logs, Box: a.Box, Sim: sim, ACS: a.GenieACS}
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

// Browser is a cookie-keeping client that does not follow redirects and
// remembers the CSRF token of the last page it read.
type Browser struct {
	T      testing.TB
	Client *http.Client
	Base   string
	CSRF   string
}

func (b *Bundle) Browser(t testing.TB) *Browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Browser{T: t, Base: b.Srv.URL, Client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type Page struct {
	Status int
	Header http.Header
	Doc    *goquery.Document
	Body   string
}

// TestID finds elements by data-testid.
func (p Page) TestID(id string) *goquery.Selection { return p.Doc.Find(`[data-testid="` + id + `"]`) }

func (br *Browser) Do(req *http.Request) Page {
	br.T.Helper()
	resp, err := br.Client.Do(req)
	require.NoError(br.T, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(br.T, err)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	require.NoError(br.T, err)
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		br.CSRF = tok
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Doc: doc, Body: string(raw)}
}

func (br *Browser) Get(path string) Page {
	br.T.Helper()
	req, err := http.NewRequest(http.MethodGet, br.Base+path, nil)
	require.NoError(br.T, err)
	return br.Do(req)
}

// Post submits a form with the remembered CSRF token.
func (br *Browser) Post(path string, form url.Values) Page {
	br.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" && br.CSRF != "" {
		form.Set("_csrf", br.CSRF)
	}
	return br.PostRaw(path, form, nil)
}

func (br *Browser) PostRaw(path string, form url.Values, header http.Header) Page {
	br.T.Helper()
	req, err := http.NewRequest(http.MethodPost, br.Base+path, strings.NewReader(form.Encode()))
	require.NoError(br.T, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return br.Do(req)
}

// HTMX posts like htmx does: CSRF in a header, HX-Request set.
func (br *Browser) HTMX(path string, form url.Values) Page {
	br.T.Helper()
	return br.PostRaw(path, form, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {br.CSRF}})
}

func (br *Browser) Login(email, password string) Page {
	br.T.Helper()
	br.Get("/login")
	return br.Post("/login", url.Values{"email": {email}, "password": {password}})
}

// LoggedIn returns a browser signed in as u.
func (b *Bundle) LoggedIn(t testing.TB, u user.User) *Browser {
	t.Helper()
	br := b.Browser(t)
	p := br.Login(u.Email, testfactory.Password)
	require.Equal(t, http.StatusSeeOther, p.Status, "login of %s: %s", u.Email, p.Body)
	br.Get("/") // pick up a CSRF token
	return br
}

type APIResp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// ErrCode returns error.code of a JSON error body.
func (r APIResp) ErrCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r APIResp) ErrFields() map[string]any {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

func (r APIResp) Items() []any {
	it, _ := r.Body["items"].([]any)
	return it
}

// API calls the JSON API with a bearer key ("" for none).
func (b *Bundle) API(t testing.TB, method, path, key, body string) APIResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.Srv.URL+path, rd)
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
	r := APIResp{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.Body), "JSON body: %s", raw)
	}
	return r
}

// pollEvery is how often wait checks its condition.
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
