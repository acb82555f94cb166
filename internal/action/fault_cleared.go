package action

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// TaskFaultCleared records on tx that staff cleared the GenieACS fault of
// GenieACS task genieTaskID on a device, which deletes that task in GenieACS.
// The task it belongs to ends failed with the fault (code, msg) and is no
// longer followed: otherwise its follower would find the task gone without
// a fault and take it for run. A task that was not failed yet gets its
// cpe.task_finished event. Retry then sends it afresh.
func TaskFaultCleared(ctx context.Context, tx pgx.Tx, jobs outbox.JobInserter, deviceID uuid.UUID, genieTaskID, code, msg, by string) error {
	if genieTaskID == "" {
		return nil
	}
	note := "; the fault was cleared by " + by + ", which deleted the task in GenieACS"
	rows, err := tx.Query(ctx, `WITH old AS (
			SELECT id, status FROM cpe_tasks
			WHERE device_id = $1 AND genieacs_task_id = $2 AND status IN ('pending', 'queued', 'running', 'failed') FOR UPDATE)
		UPDATE cpe_tasks t SET status = 'failed',
			fault_code = CASE WHEN old.status = 'failed' AND t.fault_code <> '' THEN t.fault_code ELSE $3 END,
			message = left(CASE WHEN old.status = 'failed' THEN t.message ELSE $4 END || $5, 500),
			genieacs_task_id = '', finished_at = COALESCE(t.finished_at, now()), send_claimed_at = NULL, updated_at = now()
		FROM old WHERE t.id = old.id
		RETURNING t.id, old.status <> 'failed' AS just_ended`, deviceID, genieTaskID, code, validation.Storable(msg, 400), note)
	if err != nil {
		return fmt.Errorf("end the task of a cleared fault: %w", err)
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		ID        uuid.UUID `db:"id"`
		JustEnded bool      `db:"just_ended"`
	}])
	if err != nil {
		return fmt.Errorf("end the task of a cleared fault: %w", err)
	}
	s := &Service{jobs: jobs}
	for _, e := range all {
		if e.JustEnded {
			if err := s.finishedEvent(ctx, tx, e.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
