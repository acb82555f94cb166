// Package metrics is FyberPay's Prometheus instrumentation: one registry
// per process (never the global one), the families the operator's
// dashboards and alerts use, and nil-safe recorders the services call. Labels
// are bounded: route patterns (never paths), NBI call kinds, job kinds,
// outcomes, and organizations' slugs; never a device, serial, subscriber or
// secret.
package metrics

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the families the code records into. A nil
// *Metrics records nothing (tools and tests that do not scrape).
type Metrics struct {
	reg   *prometheus.Registry
	names []string // the families' names, as registered

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	nbiCalls     *prometheus.CounterVec
	nbiDuration  *prometheus.HistogramVec
	jobs         *prometheus.CounterVec
	jobDuration  *prometheus.HistogramVec
	identify     *prometheus.CounterVec
	identifyTime *prometheus.HistogramVec
	syncPasses   *prometheus.CounterVec
	syncDuration *prometheus.HistogramVec
	syncDevices  *prometheus.CounterVec
	faultPolls   *prometheus.CounterVec
	faults       *prometheus.CounterVec
	webhooks     *prometheus.CounterVec
}

// Namespace prefixes every family.
const Namespace = "fyberpay"

// New registers every family, and Go's and the process's own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	latency := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{reg: reg}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
		m.register(name, v)
		return v
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
		m.register(name, v)
		return v
	}
	m.httpRequests = counter("http_requests_total", "HTTP requests answered, by route pattern, method and status class (2xx, 3xx, 4xx, 5xx; 499: the client went away).", "route", "method", "code")
	m.httpDuration = histogram("http_request_duration_seconds", "HTTP request latency by route pattern and method.", latency, "route", "method")
	m.nbiCalls = counter("genieacs_nbi_requests_total", "Calls to GenieACS's NBI by kind (method and collection) and outcome (ok, http_4xx, http_5xx, timeout, dropped, error, circuit_open, canceled).", "kind", "outcome")
	m.nbiDuration = histogram("genieacs_nbi_request_duration_seconds", "Latency of GenieACS NBI calls by kind (to the response's headers).", latency, "kind")
	m.jobs = counter("river_jobs_worked_total", "River job attempts by kind and outcome (ok, error, snoozed, cancelled, panic).", "kind", "outcome")
	m.jobDuration = histogram("river_job_duration_seconds", "River job attempt duration by kind.", []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 240}, "kind")
	m.identify = counter("identify_requests_total", "Identify calls from GenieACS's bootstrap by outcome (pending, claimed, assigned, refused, wrong_key).", "outcome")
	m.identifyTime = histogram("identify_request_duration_seconds", "Identify latency by outcome.", latency, "outcome")
	m.syncPasses = counter("sync_passes_total", "Device sync passes by kind (full, incremental) and status (done, failed).", "kind", "status")
	m.syncDuration = histogram("sync_pass_duration_seconds", "Device sync pass duration by kind.", []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}, "kind")
	m.syncDevices = counter("sync_devices_total", "Devices a sync pass read (seen), created, updated (changed), marked deleted or skipped (unstorable), by kind.", "kind", "what")
	m.faultPolls = counter("fault_polls_total", "GenieACS fault polls by status (done, failed).", "status")
	m.faults = counter("fault_poll_faults_total", "Faults the poll saw, raised, updated, resolved or skipped.", "what")
	m.webhooks = counter("webhook_deliveries_total", "Webhook delivery attempts by outcome (succeeded, retry, failed).", "outcome")
	return m
}

// register adds one of FyberPay's families under its name (without the
// namespace).
func (m *Metrics) register(name string, c prometheus.Collector) {
	m.reg.MustRegister(c)
	m.names = append(m.names, prometheus.BuildFQName(Namespace, "", name))
}

// Gauge adds a gauge family read at each scrape (within 5 s; a failed read
// leaves the family out of that scrape): queue depth, fleet states, the
// breaker.
func (m *Metrics) Gauge(name, help string, labels []string, read func(ctx context.Context) ([]Sample, error)) {
	if m == nil {
		return
	}
	m.register(name, &gaugeQuery{desc: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil), read: read})
}

// Names are FyberPay's own families (not Go's or the process's): what
// the Grafana dashboard in docs/ may use.
func (m *Metrics) Names() []string { return slices.Clone(m.names) }

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Timeout: 10 * time.Second})
}

// codeClass is a status's class label: 2xx..5xx, or 499 as itself.
func codeClass(status int) string {
	if status == 499 {
		return "499"
	}
	return strconv.Itoa(status/100) + "xx"
}

// HTTPRequest records an answered request; route is the router's pattern
// ("" when none matched: "unmatched").
func (m *Metrics) HTTPRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.httpRequests.WithLabelValues(route, method, codeClass(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// NBICall records a call to GenieACS's NBI.
func (m *Metrics) NBICall(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.nbiCalls.WithLabelValues(kind, outcome).Inc()
	m.nbiDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// Job records a River job attempt.
func (m *Metrics) Job(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// Identify records an identify call.
func (m *Metrics) Identify(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.identify.WithLabelValues(outcome).Inc()
	m.identifyTime.WithLabelValues(outcome).Observe(d.Seconds())
}

// SyncPass records a device sync pass and its device counts.
func (m *Metrics) SyncPass(kind, status string, d time.Duration, seen, created, updated, deleted, skipped int) {
	if m == nil {
		return
	}
	m.syncPasses.WithLabelValues(kind, status).Inc()
	m.syncDuration.WithLabelValues(kind).Observe(d.Seconds())
	for what, n := range map[string]int{"seen": seen, "created": created, "updated": updated, "deleted": deleted, "skipped": skipped} {
		m.syncDevices.WithLabelValues(kind, what).Add(float64(n))
	}
}

// FaultPoll records a fault poll and what it found.
func (m *Metrics) FaultPoll(status string, seen, raised, updated, resolved, skipped int) {
	if m == nil {
		return
	}
	m.faultPolls.WithLabelValues(status).Inc()
	for what, n := range map[string]int{"seen": seen, "raised": raised, "updated": updated, "resolved": resolved, "skipped": skipped} {
		m.faults.WithLabelValues(what).Add(float64(n))
	}
}

// WebhookDelivery records a delivery attempt's outcome.
func (m *Metrics) WebhookDelivery(outcome string) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}

// Sample is one value of a scrape-time gauge and its label values.
type Sample struct {
	Labels []string
	Value  float64
}

// gaugeQuery is a gauge family read when scraped (a database query, the
// breaker's state), bounded by a timeout.
type gaugeQuery struct {
	desc *prometheus.Desc
	read func(ctx context.Context) ([]Sample, error)
}

func (g *gaugeQuery) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *gaugeQuery) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	samples, err := g.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.desc, err)
		return
	}
	for _, s := range samples {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, s.Value, s.Labels...)
	}
}
