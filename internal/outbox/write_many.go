package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Pending is one event for WriteMany.
type Pending struct {
	OrgID   uuid.UUID // never uuid.Nil: WriteMany writes organization events only
	Topic   Topic
	Payload any
}

// WriteMany is Write for many events at once: one INSERT and one batch of
// dispatch jobs on tx, for producers that raise thousands of events in one
// pass (the fault poll).
func WriteMany(ctx context.Context, tx pgx.Tx, jobs JobInserter, events []Pending) error {
	if len(events) == 0 {
		return nil
	}
	orgs := make([]uuid.UUID, len(events))
	topics := make([]string, len(events))
	bodies := make([]string, len(events))
	for i, e := range events {
		if e.OrgID == uuid.Nil {
			return fmt.Errorf("write %s events: an organization is required", e.Topic)
		}
		b, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("encode %s payload: %w", e.Topic, err)
		}
		orgs[i], topics[i], bodies[i] = e.OrgID, string(e.Topic), string(b)
	}
	rows, err := tx.Query(ctx, `INSERT INTO outbox_events (org_id, topic, payload)
		SELECT o, t, p::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(o, t, p) RETURNING id`, orgs, topics, bodies)
	if err != nil {
		return fmt.Errorf("write outbox events: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("write outbox events: %w", err)
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DispatchArgs{EventID: id}}
	}
	if _, err := jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue dispatches: %w", err)
	}
	return nil
}
