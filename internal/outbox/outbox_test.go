package outbox_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
)

type testBundle struct {
	pool     *pgxpool.Pool
	box      *secret.Box
	inserter *river.Client[pgx.Tx]
	svc      *outbox.Endpoints
	org      org.Org
	admin    actor.Actor
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: make([]byte, 32)}})
	require.NoError(t, err)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	o := testfactory.Org(ctx, t, pool, nil)
	u := testfactory.User(ctx, t, pool, o, nil)
	return &testBundle{pool: pool, box: box, inserter: ins, svc: outbox.NewEndpoints(pool, box, ins), org: o, admin: testfactory.Actor(u)}
}

// workerClient starts a real River client working the outbox jobs.
func (b *testBundle) workerClient(t *testing.T) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := jobs.NewWorkerClient(jobs.Deps{
		Pool: b.pool, Logger: slog.New(slog.DiscardHandler), Box: b.box, Inserter: b.inserter,
		HTTPClient:     outbox.NewHTTPClient(true),
		WebhookBackoff: func(int) time.Duration { return 300 * time.Millisecond },
		Fast:           true,
	})
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	return c
}

// receiver answers the scripted statuses in turn and records each request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	status := http.StatusOK
	if n := len(r.got); n < len(r.statuses) {
		status = r.statuses[n]
	}
	r.got = append(r.got, received{header: req.Header.Clone(), body: body})
	w.WriteHeader(status)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func attempts(t *testing.T, pool *pgxpool.Pool, eventID uuid.UUID) (int, string) {
	t.Helper()
	var (
		n      int
		status string
	)
	err := pool.QueryRow(context.Background(), `SELECT d.attempts, d.status FROM webhook_deliveries d WHERE d.event_id = $1`, eventID).Scan(&n, &status)
	if err != nil {
		return 0, ""
	}
	return n, status
}

func TestDeliveryRetriesAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	rcv := &receiver{statuses: []int{500, 500, 200}}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)

	ep, plainSecret, err := b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: srv.URL + "/hook", Topics: []string{"cpe.claimed"}})
	require.NoError(t, err)

	var eventID uuid.UUID
	require.NoError(t, db.InTx(ctx, b.pool, func(tx pgx.Tx) error {
		eventID, err = outbox.Write(ctx, tx, b.inserter, b.org.ID, outbox.TopicClaimed, map[string]string{"serial": "HWTC12345678"})
		return err
	}))

	// First server process: one failed attempt, then it stops.
	c1 := b.workerClient(t)
	require.Eventually(t, func() bool { n, _ := attempts(t, b.pool, eventID); return n >= 1 }, 15*time.Second, 20*time.Millisecond)
	require.NoError(t, c1.Stop(ctx))
	n, status := attempts(t, b.pool, eventID)
	require.Equal(t, 1, n)
	require.Equal(t, "pending", status, "a failed attempt leaves the delivery pending, not lost")

	// Second server process picks the retry up from Postgres.
	c2 := b.workerClient(t)
	t.Cleanup(func() { _ = c2.Stop(context.Background()) })
	require.Eventually(t, func() bool { _, s := attempts(t, b.pool, eventID); return s == "succeeded" }, 20*time.Second, 20*time.Millisecond)

	require.Equal(t, 3, rcv.count(), "500, 500, then 200")
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for i, r := range rcv.got {
		require.Equal(t, eventID.String(), r.header.Get(outbox.HeaderEventID), "attempt %d carries the same event id", i+1)
		require.Equal(t, "cpe.claimed", r.header.Get(outbox.HeaderEventType))
		require.Equal(t, string(rune('1'+i)), r.header.Get(outbox.HeaderAttempt))
		require.True(t, outbox.Verify([]byte(plainSecret), r.header.Get(outbox.HeaderTimestamp), r.header.Get(outbox.HeaderSignature), r.body, time.Now(), 5*time.Minute),
			"attempt %d signature verifies", i+1)
		require.False(t, outbox.Verify([]byte("wrong-secret"), r.header.Get(outbox.HeaderTimestamp), r.header.Get(outbox.HeaderSignature), r.body, time.Now(), 5*time.Minute))
		var env struct {
			ID   uuid.UUID         `json:"id"`
			Type string            `json:"type"`
			Data map[string]string `json:"data"`
		}
		require.NoError(t, json.Unmarshal(r.body, &env))
		require.Equal(t, eventID, env.ID)
		require.Equal(t, "HWTC12345678", env.Data["serial"])
		require.Equal(t, string(rcv.got[0].body), string(r.body), "the body is identical on every attempt")
	}

	log, err := b.svc.ListDeliveries(ctx, b.admin, ep.ID, time.Time{}, 10)
	require.NoError(t, err)
	require.Len(t, log.Items, 1)
	d := log.Items[0]
	require.Equal(t, "succeeded", d.Status)
	require.Equal(t, 3, d.Attempts)
	require.Len(t, d.Log, 3, "the delivery log shows three attempts")
	for i, want := range []int{500, 500, 200} {
		require.Equal(t, i+1, d.Log[i].Attempt)
		require.NotNil(t, d.Log[i].StatusCode)
		require.Equal(t, want, *d.Log[i].StatusCode)
	}
}

func TestDispatchFansOutToSubscribedEnabledEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	f := false
	sub, _, err := b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: srv.URL + "/a", Topics: []string{"cpe.claimed", "cpe.assigned"}})
	require.NoError(t, err)
	_, _, err = b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: srv.URL + "/b", Topics: []string{"cpe.assigned"}})
	require.NoError(t, err)
	_, _, err = b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: srv.URL + "/c", Topics: []string{"cpe.claimed"}, Enabled: &f})
	require.NoError(t, err)
	// Another organization's endpoint on the same topic gets nothing.
	other := testfactory.Org(ctx, t, b.pool, nil)
	ou := testfactory.User(ctx, t, b.pool, other, nil)
	_, _, err = b.svc.CreateEndpoint(ctx, testfactory.Actor(ou), outbox.EndpointInput{URL: srv.URL + "/other", Topics: []string{"cpe.claimed"}})
	require.NoError(t, err)

	require.NoError(t, db.InTx(ctx, b.pool, func(tx pgx.Tx) error {
		_, err := outbox.Write(ctx, tx, b.inserter, b.org.ID, outbox.TopicClaimed, map[string]int{"n": 1})
		return err
	}))
	ping, err := b.svc.SendTest(ctx, b.admin, sub.ID)
	require.NoError(t, err)
	log, err := b.svc.ListDeliveries(ctx, b.admin, sub.ID, time.Time{}, 10)
	require.NoError(t, err)
	require.Equal(t, 2, log.Queued, "the claimed event and the ping await dispatch")
	require.Empty(t, log.Items)

	c := b.workerClient(t)
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	require.Eventually(t, func() bool { return rcv.count() == 2 }, 15*time.Second, 20*time.Millisecond)
	log, err = b.svc.ListDeliveries(ctx, b.admin, sub.ID, time.Time{}, 10)
	require.NoError(t, err)
	require.Zero(t, log.Queued)
	// Nothing more arrives: once every dispatch and delivery job has
	// finished, the two deliveries are all there were.
	require.Eventually(t, func() bool {
		var open int
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind IN ('outbox_dispatch', 'webhook_deliver')
			AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&open))
		return open == 0
	}, 15*time.Second, 20*time.Millisecond, "the worker finishes the outbox jobs")
	var deliveries int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries`).Scan(&deliveries))
	require.Equal(t, 2, deliveries, "one delivery per subscribed, enabled endpoint of the organization")
	require.Equal(t, 2, rcv.count())
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	types := map[string]bool{}
	for _, r := range rcv.got {
		types[r.header.Get(outbox.HeaderEventType)] = true
	}
	require.Equal(t, map[string]bool{"cpe.claimed": true, "webhook.ping": true}, types)
	for _, r := range rcv.got {
		if r.header.Get(outbox.HeaderEventType) == "webhook.ping" {
			require.Equal(t, ping.String(), r.header.Get(outbox.HeaderEventID))
		}
	}
}

func TestRollbackLeavesNoEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	_ = db.InTx(ctx, b.pool, func(tx pgx.Tx) error {
		_, err := outbox.Write(ctx, tx, b.inserter, b.org.ID, outbox.TopicClaimed, map[string]int{"n": 1})
		require.NoError(t, err)
		return context.Canceled // the change fails: roll back
	})
	var events, jobsN int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox_events), (SELECT count(*) FROM river_job WHERE kind = 'outbox_dispatch')`).Scan(&events, &jobsN))
	require.Zero(t, events)
	require.Zero(t, jobsN, "the dispatch job rolls back with the change")
}

func TestEndpointValidationAndTenancy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	for name, in := range map[string]outbox.EndpointInput{
		"NoURL":        {Topics: []string{"cpe.claimed"}},
		"RelativeURL":  {URL: "/hook", Topics: []string{"cpe.claimed"}},
		"FTP":          {URL: "ftp://x.example/hook", Topics: []string{"cpe.claimed"}},
		"Credentials":  {URL: "https://u:p@x.example/hook", Topics: []string{"cpe.claimed"}},
		"NoTopic":      {URL: "https://x.example/hook"},
		"UnknownTopic": {URL: "https://x.example/hook", Topics: []string{"cpe.exploded"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := b.svc.CreateEndpoint(ctx, b.admin, in)
			require.Error(t, err)
		})
	}
	ep, _, err := b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: "https://x.example/hook", Topics: []string{"cpe.claimed"}})
	require.NoError(t, err)

	other := testfactory.Org(ctx, t, b.pool, nil)
	ou := testfactory.Actor(testfactory.User(ctx, t, b.pool, other, nil))
	_, err = b.svc.GetEndpoint(ctx, ou, ep.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.UpdateEndpoint(ctx, ou, ep.ID, outbox.EndpointInput{URL: "https://evil.example", Topics: []string{"cpe.claimed"}})
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.ListDeliveries(ctx, ou, ep.ID, time.Time{}, 10)
	require.ErrorIs(t, err, db.ErrNotFound)
	require.ErrorIs(t, b.svc.DeleteEndpoint(ctx, ou, ep.ID), db.ErrNotFound)
	_, err = b.svc.SendTest(ctx, ou, ep.ID)
	require.ErrorIs(t, err, db.ErrNotFound)

	tech := testfactory.Actor(testfactory.User(ctx, t, b.pool, b.org, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleTechnician)}))
	_, err = b.svc.ListEndpoints(ctx, tech)
	require.ErrorIs(t, err, actor.ErrForbidden)

	var ct []byte
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT secret_enc FROM webhook_endpoints WHERE id = $1`, ep.ID).Scan(&ct))
	require.NotContains(t, string(ct), "whsec_", "the signing secret is encrypted at rest")
}

func TestPrivateAddressesRefusedByDefault(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	_, err := outbox.NewHTTPClient(false).Get(srv.URL)
	require.ErrorIs(t, err, outbox.ErrPrivateAddress)
	resp, err := outbox.NewHTTPClient(true).Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
}

// noSuchHost fails every request as Go's resolver does when the host does
// not exist, naming the resolver it asked.
type noSuchHost struct{}

func (noSuchHost) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), Server: "127.0.0.53:53", IsNotFound: true}}
}

func TestDeliveryLogHidesTheResolver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	ep, _, err := b.svc.CreateEndpoint(ctx, b.admin, outbox.EndpointInput{URL: "https://hooks.example.net/x", Topics: []string{"cpe.claimed"}})
	require.NoError(t, err)
	var eventID uuid.UUID
	require.NoError(t, db.InTx(ctx, b.pool, func(tx pgx.Tx) error {
		eventID, err = outbox.Write(ctx, tx, b.inserter, b.org.ID, outbox.TopicClaimed, map[string]string{"serial": "HWTC12345678"})
		return err
	}))
	c, err := jobs.NewWorkerClient(jobs.Deps{
		Pool: b.pool, Logger: slog.New(slog.DiscardHandler), Box: b.box, Inserter: b.inserter,
		HTTPClient:     &http.Client{Transport: noSuchHost{}},
		WebhookBackoff: func(int) time.Duration { return time.Hour },
		Fast:           true,
	})
	require.NoError(t, err)
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	require.Eventually(t, func() bool { n, _ := attempts(t, b.pool, eventID); return n >= 1 }, 15*time.Second, 20*time.Millisecond)

	log, err := b.svc.ListDeliveries(ctx, b.admin, ep.ID, time.Time{}, 10)
	require.NoError(t, err)
	require.Len(t, log.Items, 1)
	d := log.Items[0]
	require.Equal(t, "DNS lookup of hooks.example.net: no such host", d.LastError)
	require.Len(t, d.Log, 1)
	require.Equal(t, d.LastError, d.Log[0].Error)
	raw, err := json.Marshal(log)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "127.0.0.53")

	// An attempt logged before the fix is shown without the resolver too.
	_, err = b.pool.Exec(ctx, `UPDATE webhook_attempts SET error = $1 WHERE delivery_id = $2`,
		`Post "https://hooks.example.net/x": dial tcp: lookup hooks.example.net on 127.0.0.53:53: no such host`, d.ID)
	require.NoError(t, err)
	log, err = b.svc.ListDeliveries(ctx, b.admin, ep.ID, time.Time{}, 10)
	require.NoError(t, err)
	require.Equal(t, `Post "https://hooks.example.net/x": dial tcp: lookup hooks.example.net: no such host`, log.Items[0].Log[0].Error)
}
