package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/secret"
)

// DeliverArgs sends one delivery.
type DeliverArgs struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts gives deliveries their attempt budget: with the default
// backoff, 12 attempts span about a day and a half.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// DeliverWorker POSTs a delivery's event to its endpoint.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Pool   *pgxpool.Pool
	Box    *secret.Box
	Client *http.Client // NewHTTPClient; bounded timeouts, no redirects
	// Backoff returns the wait after a failed attempt (1-based); nil uses
	// DefaultBackoff.
	Backoff func(attempt int) time.Duration
	Now     func() time.Time
	// Metrics counts attempts by outcome (nil: nothing).
	Metrics *metrics.Metrics
}

// DefaultBackoff is 30 s doubling per attempt, capped at 6 h.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second << min(attempt-1, 10)
	return min(d, 6*time.Hour)
}

// NextRetry implements river.Worker.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	b := w.Backoff
	if b == nil {
		b = DefaultBackoff
	}
	return time.Now().Add(b(job.Attempt))
}

// Timeout implements river.Worker: a little over the HTTP timeout.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 30 * time.Second }

// envelope is the body receivers get.
type envelope struct {
	ID        uuid.UUID       `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"createdAt"`
	OrgID     uuid.UUID       `json:"organizationId"` // the receiving endpoint's organization
	Data      json.RawMessage `json:"data"`
}

// Work makes one attempt, logs it, and returns an error (River retries with
// NextRetry) unless the receiver answered 2xx.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	d, err := db.One[struct {
		Status      string    `db:"status"`
		EventID     uuid.UUID `db:"event_id"`
		Topic       string    `db:"topic"`
		CreatedAt   time.Time `db:"created_at"`
		OrgID       uuid.UUID `db:"org_id"`
		Payload     []byte    `db:"payload"`
		EndpointID  uuid.UUID `db:"endpoint_id"`
		URL         string    `db:"url"`
		Enabled     bool      `db:"enabled"`
		SecretEnc   []byte    `db:"secret_enc"`
		SecretKeyID string    `db:"secret_key_id"`
	}](ctx, w.Pool, `
		SELECT d.status, e.id AS event_id, e.topic, e.created_at, w.org_id, e.payload, w.id AS endpoint_id, w.url, w.enabled,
			w.secret_enc, w.secret_key_id
		FROM webhook_deliveries d
		JOIN outbox_events e ON e.id = d.event_id
		JOIN webhook_endpoints w ON w.id = d.endpoint_id
		WHERE d.id = $1`, job.Args.DeliveryID)
	if errors.Is(db.MapErr(err), db.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("delivery %s or its endpoint was deleted", job.Args.DeliveryID))
	} else if err != nil {
		return err
	}
	if d.Status == "succeeded" {
		return nil
	}
	if !d.Enabled {
		return w.finish(ctx, job, nil, "endpoint disabled; not sent", nil, 0, true)
	}
	env := envelope{ID: d.EventID, Type: d.Topic, CreatedAt: d.CreatedAt.UTC(), OrgID: d.OrgID, Data: d.Payload}
	url := d.URL
	body, err := json.Marshal(env)
	if err != nil {
		return river.JobCancel(err)
	}
	sec, err := w.Box.Open(d.SecretEnc, d.SecretKeyID, d.EndpointID[:])
	if err != nil {
		return w.finish(ctx, job, nil, "cannot decrypt the signing secret (the operator's logs have the cause)", fmt.Errorf("decrypt signing secret: %w", err), 0, true)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return w.finish(ctx, job, nil, "bad URL: "+err.Error(), nil, 0, true)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "FyberPay-Webhooks/1")
	req.Header.Set(HeaderEventID, env.ID.String())
	req.Header.Set(HeaderEventType, env.Type)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(ts.Unix()))
	req.Header.Set(HeaderSignature, Sign(sec, ts, body))
	req.Header.Set(HeaderAttempt, fmt.Sprint(job.Attempt))

	start := time.Now()
	resp, err := w.Client.Do(req)
	elapsed := time.Since(start)
	if err != nil {
		// Tenants see describeError's account; River (the operator's job
		// log) keeps the full error.
		return w.finish(ctx, job, nil, describeError(err), err, elapsed, false)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return w.finish(ctx, job, &code, "", nil, elapsed, false)
	}
	return w.finish(ctx, job, &code, fmt.Sprintf("receiver answered %s", resp.Status), nil, elapsed, false)
}

// finish logs the attempt and updates the delivery. errText is what the
// organization's delivery log shows ("" on success); cause, when set, is the
// full error River records instead. It returns nil on success or when giving
// up for good (permanent), else an error so River retries.
func (w *DeliverWorker) finish(ctx context.Context, job *river.Job[DeliverArgs], code *int, errText string, cause error, elapsed time.Duration, permanent bool) error {
	ok := errText == ""
	last := job.Attempt >= job.MaxAttempts
	state := "pending"
	var next *time.Time
	switch {
	case ok:
		state = "succeeded"
	case permanent || last:
		state = "failed"
	default:
		n := w.NextRetry(job)
		next = &n
	}
	_, err := w.Pool.Exec(ctx, `
		WITH a AS (
			INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (delivery_id, attempt) DO NOTHING
		)
		UPDATE webhook_deliveries SET status = $6, attempts = GREATEST(attempts, $2), last_status = $3, last_error = $4,
			next_attempt_at = $7, updated_at = now()
		WHERE id = $1`,
		job.Args.DeliveryID, job.Attempt, code, errText, elapsed.Milliseconds(), state, next)
	if err != nil {
		return fmt.Errorf("log delivery attempt: %w", err)
	}
	outcome := state
	if state == "pending" {
		outcome = "retry"
	}
	w.Metrics.WebhookDelivery(outcome)
	if cause == nil {
		cause = errors.New(errText)
	}
	switch {
	case ok:
		return nil
	case permanent:
		return river.JobCancel(cause)
	default:
		return cause
	}
}
