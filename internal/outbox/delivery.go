package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
)

// Delivery is one event's journey to one endpoint.
type Delivery struct {
	ID         uuid.UUID  `json:"id" db:"id"`
	EventID    uuid.UUID  `json:"eventId" db:"event_id"`
	Topic      string     `json:"type" db:"topic"`
	Status     string     `json:"status" db:"status"` // pending, succeeded, failed
	Attempts   int        `json:"attempts" db:"attempts"`
	LastStatus *int       `json:"lastStatusCode" db:"last_status"`
	LastError  string     `json:"lastError" db:"last_error"`
	NextAt     *time.Time `json:"nextAttemptAt" db:"next_attempt_at"`
	CreatedAt  time.Time  `json:"createdAt" db:"created_at"`
	UpdatedAt  time.Time  `json:"updatedAt" db:"updated_at"`
	Log        []Attempt  `json:"log" db:"log"` // JSON, aggregated from webhook_attempts
}

// Attempt is one HTTP try of a delivery.
type Attempt struct {
	Attempt     int       `json:"attempt"`
	StatusCode  *int      `json:"statusCode"`
	Error       string    `json:"error"`
	DurationMS  int       `json:"durationMs"`
	AttemptedAt time.Time `json:"attemptedAt"`
}

// DeliveryPage is a page of an endpoint's deliveries, newest first; Next is
// the cursor (a time) for the following page.
type DeliveryPage struct {
	Items []Delivery `json:"items"`
	Next  *time.Time `json:"next,omitempty"`
	// Queued counts events for this endpoint not yet turned into
	// deliveries (dispatch has not run yet).
	Queued int `json:"queued"`
}

// ListDeliveries returns the delivery log of one endpoint of the actor's
// organization, with each delivery's attempts.
func (s *Endpoints) ListDeliveries(ctx context.Context, a actor.Actor, endpointID uuid.UUID, before time.Time, limit int) (DeliveryPage, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return DeliveryPage{}, err
	}
	ep, err := getEndpoint(ctx, s.pool, a.OrgID, endpointID)
	if err != nil {
		return DeliveryPage{}, err
	}
	var queued int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox_events
		WHERE dispatched_at IS NULL AND (org_id = $1 OR org_id IS NULL) AND (endpoint_id = $2 OR (endpoint_id IS NULL AND $4 AND topic = ANY($3)))`,
		a.OrgID, endpointID, ep.Topics, ep.Enabled).Scan(&queued); err != nil {
		return DeliveryPage{}, fmt.Errorf("count queued events: %w", err)
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if before.IsZero() {
		before = time.Now().Add(time.Hour)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT d.id, d.event_id, e.topic, d.status, d.attempts, d.last_status, d.last_error, d.next_attempt_at, d.created_at, d.updated_at,
			COALESCE((SELECT json_agg(json_build_object(
					'attempt', a.attempt, 'statusCode', a.status_code, 'error', a.error,
					'durationMs', a.duration_ms, 'attemptedAt', a.attempted_at) ORDER BY a.attempt)
				FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS log
		FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
		WHERE d.org_id = $1 AND d.endpoint_id = $2 AND d.created_at < $3
		ORDER BY d.created_at DESC LIMIT $4`, a.OrgID, endpointID, before, limit+1)
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("list deliveries: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		d, err := pgx.RowToStructByName[Delivery](r)
		// Attempts logged before describeError kept Go's full error text.
		d.LastError = scrubAddresses(d.LastError)
		for i := range d.Log {
			d.Log[i].Error = scrubAddresses(d.Log[i].Error)
		}
		return d, err
	})
	if err != nil {
		return DeliveryPage{}, err
	}
	p := DeliveryPage{Items: items, Queued: queued}
	if len(items) > limit {
		p.Items = items[:limit]
		next := p.Items[limit-1].CreatedAt
		p.Next = &next
	}
	return p, nil
}
