package genieacs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/fyberpay/cpe/internal/metrics"
)

// QueueName is the River queue of every job that calls GenieACS: few
// workers, so the ACS is never flooded (each cwmp worker takes ≤ 20
// requests). It lives here, in a package every producer already imports and
// that imports nothing of this module, so no producer imports internal/jobs
// (which imports them).
const QueueName = "genieacs"

// Errors callers tell apart.
var (
	// ErrCircuitOpen means recent calls failed and GenieACS is not being
	// called for a while; retry later.
	ErrCircuitOpen = errors.New("GenieACS is unavailable (circuit breaker open); retrying later")
	// ErrDeviceNotFound is GenieACS's 404 "No such device".
	ErrDeviceNotFound = errors.New("no such device in GenieACS")
	// ErrNotFound is a 404 for another object (task, file, provision).
	ErrNotFound = errors.New("not found in GenieACS")
	// ErrDropped means GenieACS closed the connection without answering
	// (what it does when a handler throws).
	ErrDropped = errors.New("GenieACS closed the connection without answering")
	// ErrInvalidTask means a task failed validation and was not sent.
	ErrInvalidTask = errors.New("invalid GenieACS task")
)

// HTTPError is a non-2xx answer. Reason is the HTTP reason phrase and Body
// the (plain-text) error body GenieACS sent.
type HTTPError struct {
	Method, Path string
	Status       int
	Reason       string
	Body         string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("GenieACS %s %s: %d %s", e.Method, e.Path, e.Status, e.Reason)
	if b := strings.TrimSpace(e.Body); b != "" && b != e.Reason {
		msg += ": " + b
	}
	return msg
}

// DecodeError means GenieACS answered something that is not what its API
// returns (non-JSON, truncated stream, wrong types).
type DecodeError struct {
	What string
	Err  error
}

func (e *DecodeError) Error() string { return "decode GenieACS " + e.What + ": " + e.Err.Error() }

// Unwrap exposes the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Config configures a Client.
type Config struct {
	NBIURL *url.URL
	// HTTPClient defaults to one with sane transport limits; per-call
	// deadlines come from Timeout.
	HTTPClient *http.Client
	// Timeout bounds each call (default 30 s); task calls with a connection
	// request get their own, longer bound (see CreateTask).
	Timeout time.Duration
	Breaker BreakerSettings
	// OnStateChange is told when the breaker changes state.
	OnStateChange func(from, to string)
}

// BreakerSettings tune the circuit breaker.
type BreakerSettings struct {
	MinRequests  uint32        // requests in the window before the ratio is judged (default 10)
	FailureRatio float64       // trip at this failure ratio (default 0.5)
	Window       time.Duration // rolling window of counts while closed (default 60 s)
	OpenFor      time.Duration // open → half-open after (default 30 s)
	HalfOpenMax  uint32        // trial requests while half-open (default 3)
}

// Client calls one GenieACS NBI.
type Client struct {
	base    *url.URL
	hc      *http.Client
	timeout time.Duration
	cb      *gobreaker.CircuitBreaker[*http.Response]
	down    outage
	metrics atomic.Pointer[metrics.Metrics]
}

// Instrument records every NBI call in m from now on (kind, outcome,
// latency).
func (c *Client) Instrument(m *metrics.Metrics) { c.metrics.Store(m) }

// callKind is a call's metric label: its method and collection, with the
// sub-resource of a device or task ("POST /devices/:id/tasks"); never an
// id.
func callKind(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	kind := method + " /" + segs[0]
	if len(segs) >= 3 {
		kind += "/:id/" + segs[2]
	} else if len(segs) == 2 && segs[1] != "" {
		kind += "/:id"
	}
	return kind
}

// callOutcome is a call's outcome label.
func callOutcome(err error) string {
	var he *HTTPError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrCircuitOpen):
		return "circuit_open"
	case errors.As(err, &he) && he.Status >= 500:
		return "http_5xx"
	case errors.As(err, &he):
		return "http_4xx"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, ErrDropped):
		return "dropped"
	}
	return "error"
}

// outage is the current streak of calls GenieACS did not answer.
type outage struct {
	mu       sync.Mutex
	since    time.Time // the streak's first failure; zero when none
	failures int
}

// outageAfter is how many calls in a row GenieACS must fail before it is
// called unreachable (one timeout is not an outage).
const outageAfter = 2

// record notes how a call went: an answer (any status GenieACS chose to
// send) ends an outage; a failure to answer extends it.
func (o *outage) record(err error, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil, excluded(err) && !errors.Is(err, context.Canceled):
		o.since, o.failures = time.Time{}, 0
	case errors.Is(err, context.Canceled), errors.Is(err, ErrCircuitOpen):
		// the caller gave up, or no call was made
	default:
		if o.failures == 0 {
			o.since = now
		}
		o.failures++
	}
}

// Outage reports whether GenieACS is unreachable now (its breaker is not
// closed, or its last calls all failed) and since when.
func (c *Client) Outage() (since time.Time, down bool) {
	c.down.mu.Lock()
	since, failures := c.down.since, c.down.failures
	c.down.mu.Unlock()
	if c.cb.State() != gobreaker.StateClosed || failures >= outageAfter {
		if since.IsZero() {
			since = time.Now()
		}
		return since, true
	}
	return time.Time{}, false
}

// Probe makes one cheap call (a count of a device id no device has), so
// an idle installation still learns when GenieACS goes away or comes
// back. It goes through the breaker like any call.
func (c *Client) Probe(ctx context.Context) error {
	_, err := c.Ping(ctx)
	return err
}

// Watch probes GenieACS every interval until ctx ends.
func (c *Client) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = c.Probe(ctx)
		}
	}
}

// New builds a client.
func New(cfg Config) (*Client, error) {
	if cfg.NBIURL == nil {
		return nil, errors.New("genieacs: NBI URL is required")
	}
	base := *cfg.NBIURL
	base.Path = strings.TrimRight(base.Path, "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     4 * time.Second, // below GenieACS's keep-alive of 5 s
		}}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	b := cfg.Breaker
	if b.MinRequests == 0 {
		b.MinRequests = 10
	}
	if b.FailureRatio == 0 {
		b.FailureRatio = 0.5
	}
	if b.Window == 0 {
		b.Window = time.Minute
	}
	if b.OpenFor == 0 {
		b.OpenFor = 30 * time.Second
	}
	if b.HalfOpenMax == 0 {
		b.HalfOpenMax = 3
	}
	st := gobreaker.Settings{
		Name:        "genieacs",
		MaxRequests: b.HalfOpenMax,
		Interval:    b.Window,
		Timeout:     b.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= b.MinRequests && float64(c.TotalFailures)/float64(c.Requests) >= b.FailureRatio
		},
		IsExcluded: excluded,
	}
	if cfg.OnStateChange != nil {
		st.OnStateChange = func(_ string, from, to gobreaker.State) { cfg.OnStateChange(from.String(), to.String()) }
	}
	return &Client{base: &base, hc: hc, timeout: cfg.Timeout, cb: gobreaker.NewCircuitBreaker[*http.Response](st)}, nil
}

// excluded says which errors do not count for or against GenieACS's health:
// the caller giving up, and client errors (4xx other than 429).
func excluded(err error) bool {
	if errors.Is(err, context.Canceled) {
		return true
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 400 && he.Status < 500 && he.Status != http.StatusTooManyRequests
	}
	return false
}

// BreakerState reports the breaker: "closed", "open" or "half-open".
func (c *Client) BreakerState() string { return c.cb.State().String() }

// BreakerCounts reports the breaker's counts in the current window.
func (c *Client) BreakerCounts() gobreaker.Counts { return c.cb.Counts() }

// request is one NBI call.
type request struct {
	method  string
	path    string // already escaped
	query   url.Values
	body    io.Reader
	length  int64 // body length when known and body is a plain io.Reader
	header  http.Header
	timeout time.Duration
	// ok lists the statuses that are not errors (default: any 2xx).
	ok []int
}

// do sends r through the breaker. On success the caller owns the response
// body; closing it also releases the call's deadline.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	start := time.Now()
	timeout := r.timeout
	if timeout == 0 {
		timeout = c.timeout
	}
	u := *c.base
	u.RawPath = u.Path + r.path
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = encodeQuery(r.query)

	resp, err := c.cb.Execute(func() (*http.Response, error) {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		req, err := http.NewRequestWithContext(cctx, r.method, u.String(), r.body)
		if err != nil {
			cancel()
			return nil, err
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		if r.length > 0 {
			req.ContentLength = r.length
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if isDropped(err) {
				return nil, fmt.Errorf("%w (%s %s)", ErrDropped, r.method, r.path)
			}
			return nil, fmt.Errorf("GenieACS %s %s: %w", r.method, r.path, err)
		}
		if !statusOK(resp.StatusCode, r.ok) {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			cancel()
			return nil, &HTTPError{Method: r.method, Path: r.path, Status: resp.StatusCode, Reason: reason(resp), Body: string(body)}
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		err = ErrCircuitOpen
	}
	c.down.record(err, time.Now())
	c.metrics.Load().NBICall(callKind(r.method, r.path), callOutcome(err), time.Since(start))
	return resp, err
}

func statusOK(code int, ok []int) bool {
	if len(ok) == 0 {
		return code >= 200 && code < 300
	}
	for _, s := range ok {
		if s == code {
			return true
		}
	}
	return false
}

// reason extracts the reason phrase ("202 Task faulted" → "Task faulted").
func reason(resp *http.Response) string {
	_, r, _ := strings.Cut(resp.Status, " ")
	return r
}

func isDropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// encodeQuery encodes like url.Values but keeps flag parameters bare
// (?connection_request, not ?connection_request=).
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			if v == "" {
				parts = append(parts, url.QueryEscape(k))
			} else {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
	}
	return strings.Join(parts, "&")
}

// Ping is how GenieACS answered one cheap call: how long it took and the
// version it names in its GenieACS-Version header ("" when the answer had
// none: not an NBI, perhaps the UI's port).
type Ping struct {
	Latency time.Duration
	Version string
}

// Ping makes one cheap call (HEAD /devices/ for a device id no device has,
// through the breaker like any call) and reports its latency and
// GenieACS's version.
func (c *Client) Ping(ctx context.Context) (Ping, error) {
	vals, err := Query{Filter: map[string]any{"_id": "fyberpay-probe"}}.values()
	if err != nil {
		return Ping{}, err
	}
	start := time.Now()
	resp, err := c.do(ctx, request{method: http.MethodHead, path: "/devices/", query: vals})
	if err != nil {
		return Ping{}, err
	}
	resp.Body.Close()
	return Ping{Latency: time.Since(start), Version: resp.Header.Get("GenieACS-Version")}, nil
}
