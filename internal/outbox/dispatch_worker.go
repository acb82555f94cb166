package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/db"
)

// DispatchArgs fans one event out to its endpoints.
type DispatchArgs struct {
	EventID uuid.UUID `json:"event_id"`
}

// Kind implements river.JobArgs.
func (DispatchArgs) Kind() string { return "outbox_dispatch" }

// DispatchWorker creates the deliveries of one event.
type DispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	Pool *pgxpool.Pool
	Jobs JobInserter
}

// Work creates one delivery (and its job) per enabled endpoint subscribed to
// the event's topic — of the event's organization, or of every organization
// for an installation-level event — or only the targeted endpoint for a ping. Re-running it
// creates nothing twice.
func (w *DispatchWorker) Work(ctx context.Context, job *river.Job[DispatchArgs]) error {
	return db.InTx(ctx, w.Pool, func(tx pgx.Tx) error {
		ev, err := db.One[struct {
			OrgID    *uuid.UUID `db:"org_id"` // nil: installation-level, every organization's endpoints
			Topic    string     `db:"topic"`
			TargetID *uuid.UUID `db:"endpoint_id"`
		}](ctx, tx, `SELECT org_id, topic, endpoint_id FROM outbox_events WHERE id = $1 FOR UPDATE`, job.Args.EventID)
		if errors.Is(db.MapErr(err), db.ErrNotFound) {
			return river.JobCancel(fmt.Errorf("event %s no longer exists", job.Args.EventID))
		} else if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id)
			SELECT org_id, id, $2 FROM webhook_endpoints
			WHERE ($1::uuid IS NULL OR org_id = $1) AND enabled AND (CASE WHEN $4::uuid IS NULL THEN $3 = ANY(topics) ELSE id = $4 END)
			ON CONFLICT (event_id, endpoint_id) DO NOTHING
			RETURNING id`, ev.OrgID, job.Args.EventID, ev.Topic, ev.TargetID)
		if err != nil {
			return fmt.Errorf("create deliveries: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			params := make([]river.InsertManyParams, len(ids))
			for i, id := range ids {
				params[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: id}}
			}
			if _, err := w.Jobs.InsertManyTx(ctx, tx, params); err != nil {
				return fmt.Errorf("enqueue deliveries: %w", err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE outbox_events SET dispatched_at = now() WHERE id = $1`, job.Args.EventID)
		return err
	})
}
