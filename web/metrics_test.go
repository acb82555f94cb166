package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// scrape GETs /metrics with token ("" for none).
func scrape(t *testing.T, b *webtest.Bundle, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.Srv.URL+"/metrics", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw)
}

// sample finds the family's series whose labels include want and returns
// its counter or gauge value, or its histogram's count (-1: no such series).
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

// After a scripted workload (identify, an API call, a device task, a sync
// pass, a fault poll) /metrics has each family with its labels and non-zero counts; it
// answers only the configured bearer token, and carries no serial,
// subscriber or secret.
func TestMetricsAfterAWorkload(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 2)
	ctx := context.Background()

	st, body := scrape(t, b, "")
	require.Equal(t, http.StatusUnauthorized, st, body)
	st, _ = scrape(t, b, "not-the-metrics-token-0123456789")
	require.Equal(t, http.StatusUnauthorized, st)

	sub := testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{
		Username: testfactory.Ptr("wairimu"), PPPoEPassword: testfactory.Ptr("wairimu-ppp-secret")})
	testfactory.Device(ctx, t, b.Pool, &b.OrgA, "ZTEGC0DE7E57", &sub)
	r := b.Identify(t, webtest.InternalKey, `{"serial":"ZTEGC0DE7E57","oui":"344B50","productClass":"F660","manufacturer":"ZTE","deviceId":"344B50-F660-ZTEGC0DE7E57","root":"InternetGatewayDevice"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, http.StatusUnauthorized, b.Identify(t, "a-wrong-internal-key-0123456789", `{}`).Status)
	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/devices", b.KeyA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/00000000-0000-0000-0000-000000000000", b.KeyA, "").Status)
	id, gid := b.SimDevice(t, b.OrgA, "HG8245H", 0)
	task := b.API(t, http.MethodPost, "/cpe/devices/"+id.String()+"/refresh", b.KeyA, "")
	require.Less(t, task.Status, 300, task.Raw)
	b.WaitTask(t, b.KeyA, task.Body["id"].(string), action.StatusDone)
	_, err := b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	// A fault poll as the worker runs it, with one fault in GenieACS.
	require.NoError(t, b.Sim.PutFaultDocument(webtest.FaultDoc(gid, "default", "cwmp.9002")))
	ins, err := jobs.NewInserter(b.Pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	poll := &fault.PollWorker{Service: fault.NewService(b.Pool, b.ACS, ins), Metrics: b.Metrics}
	require.NoError(t, poll.Work(ctx, &river.Job[fault.PollArgs]{}))

	// The task's end is an event whose dispatch is a job: wait for it.
	var fams map[string]*dto.MetricFamily
	require.True(t, webtest.Wait(15*time.Second, func() bool {
		st, body = scrape(t, b, webtest.MetricsToken)
		require.Equal(t, http.StatusOK, st, body)
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err = parser.TextToMetricFamilies(strings.NewReader(body))
		require.NoError(t, err)
		return sample(fams, "fyberpay_river_jobs_worked_total", map[string]string{"kind": "outbox_dispatch", "outcome": "ok"}) > 0
	}), "no outbox dispatch job recorded:\n%s", body)
	for _, c := range []struct {
		name   string
		labels map[string]string
	}{
		{"fyberpay_http_requests_total", map[string]string{"route": "/cpe/devices", "method": "GET", "code": "2xx"}},
		{"fyberpay_http_requests_total", map[string]string{"route": "/cpe/devices/:id", "method": "GET", "code": "4xx"}},
		{"fyberpay_http_request_duration_seconds", map[string]string{"route": "/cpe/devices", "method": "GET"}},
		{"fyberpay_identify_requests_total", map[string]string{"outcome": "assigned"}},
		{"fyberpay_identify_requests_total", map[string]string{"outcome": "wrong_key"}},
		{"fyberpay_identify_request_duration_seconds", map[string]string{"outcome": "assigned"}},
		{"fyberpay_genieacs_nbi_requests_total", map[string]string{"kind": "POST /devices/:id/tasks", "outcome": "ok"}},
		{"fyberpay_genieacs_nbi_request_duration_seconds", map[string]string{"kind": "GET /devices"}},
		{"fyberpay_river_jobs_worked_total", map[string]string{"kind": "outbox_dispatch", "outcome": "ok"}},
		{"fyberpay_river_job_duration_seconds", map[string]string{"kind": "outbox_dispatch"}},
		{"fyberpay_sync_passes_total", map[string]string{"kind": "full", "status": "done"}},
		{"fyberpay_sync_pass_duration_seconds", map[string]string{"kind": "full"}},
		{"fyberpay_sync_devices_total", map[string]string{"kind": "full", "what": "seen"}},
		{"fyberpay_devices", map[string]string{"org": b.OrgA.Slug, "status": "online"}},
		{"fyberpay_genieacs_breaker_state", map[string]string{"state": "closed"}},
		{"fyberpay_fault_polls_total", map[string]string{"status": "done"}},
		{"fyberpay_fault_poll_faults_total", map[string]string{"what": "seen"}},
		{"fyberpay_fault_poll_faults_total", map[string]string{"what": "raised"}},
		{"go_goroutines", nil},
	} {
		v := sample(fams, c.name, c.labels)
		require.Positive(t, v, "%s%v in:\n%s", c.name, c.labels, body)
	}
	require.Zero(t, sample(fams, "fyberpay_genieacs_breaker_state", map[string]string{"state": "open"}))
	require.GreaterOrEqual(t, sample(fams, "fyberpay_devices", map[string]string{"org": b.OrgB.Slug, "status": "online"}), 0.0,
		"every organization has its series")
	for _, leak := range []string{"ZTEGC0DE7E57", "wairimu", "ppp-secret", webtest.InternalKey, id.String()} {
		require.NotContains(t, body, leak)
	}
}

// The Grafana dashboard in docs/ uses only families the application
// registers (a renamed family fails here, not on an operator's wall).
func TestGrafanaDashboardUsesRegisteredFamilies(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	raw, err := os.ReadFile("../docs/grafana-fyberpay.json")
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &dash))
	names := b.Metrics.Names()
	require.Contains(t, names, "fyberpay_devices")
	used := 0
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			for _, name := range regexp.MustCompile(`fyberpay_[a-z_]+`).FindAllString(tg.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(names, base) {
						name = base
					}
				}
				require.Contains(t, names, name, "panel %q", p.Title)
				used++
			}
		}
	}
	require.Greater(t, used, 15)
}
