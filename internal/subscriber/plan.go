package subscriber

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// planColumns are read into a Plan by name (its db tags).
const planColumns = `id, name, genieacs_group, several_devices, created_at, updated_at`

// ListPlans returns the organization's plans by name.
func (s *Service) ListPlans(ctx context.Context, a actor.Actor) ([]Plan, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+planColumns+` FROM plans WHERE org_id = $1 ORDER BY name, id`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Plan])
}

// GetPlan returns one plan of the actor's organization.
func (s *Service) GetPlan(ctx context.Context, a actor.Actor, id uuid.UUID) (Plan, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Plan{}, err
	}
	return getPlan(ctx, s.pool, a.OrgID, id, "")
}

// getPlan reads a plan; lock is "" or a locking clause such as "FOR UPDATE".
func getPlan(ctx context.Context, exec db.Executor, orgID, id uuid.UUID, lock string) (Plan, error) {
	p, err := db.One[Plan](ctx, exec, `SELECT `+planColumns+` FROM plans WHERE org_id = $1 AND id = $2 `+lock, orgID, id)
	return p, db.MapErr(err)
}

// CreatePlan adds a plan to the actor's organization.
func (s *Service) CreatePlan(ctx context.Context, a actor.Actor, in PlanInput) (Plan, error) {
	if err := a.Require(actor.PermManageCatalog); err != nil {
		return Plan{}, err
	}
	in, err := in.validate()
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		p, err = db.One[Plan](ctx, tx, `INSERT INTO plans (org_id, name, genieacs_group, several_devices) VALUES ($1, $2, $3, $4) RETURNING `+planColumns,
			a.OrgID, in.Name, in.Group, in.SeveralDevices)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return validation.Errors{"name": "is already in use"}
		} else if err != nil {
			return fmt.Errorf("insert plan: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "plan.create", TargetType: "plan", TargetID: p.ID.String(),
			Summary: fmt.Sprintf("created plan %q (group %s%s)", p.Name, p.Group, severalText(p.SeveralDevices)),
		})
	})
	return p, err
}

// UpdatePlan renames a plan or changes its GenieACS group. Subscribers on
// the plan keep it; their devices get the new plan:<group> tag on their
// next push.
func (s *Service) UpdatePlan(ctx context.Context, a actor.Actor, id uuid.UUID, in PlanInput) (Plan, error) {
	if err := a.Require(actor.PermManageCatalog); err != nil {
		return Plan{}, err
	}
	in, err := in.validate()
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := getPlan(ctx, tx, a.OrgID, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		p = before
		var changes []string
		if in.Name != before.Name {
			changes = append(changes, fmt.Sprintf("name %q → %q", before.Name, in.Name))
		}
		if in.Group != before.Group {
			changes = append(changes, "group "+before.Group+" → "+in.Group)
		}
		if in.SeveralDevices != before.SeveralDevices {
			changes = append(changes, "devices per subscriber: "+map[bool]string{true: "several", false: "one"}[in.SeveralDevices])
		}
		if len(changes) == 0 {
			return nil
		}
		updated, err := db.One[Plan](ctx, tx, `UPDATE plans SET name = $3, genieacs_group = $4, several_devices = $5, updated_at = now()
			WHERE org_id = $1 AND id = $2 RETURNING `+planColumns, a.OrgID, id, in.Name, in.Group, in.SeveralDevices)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return validation.Errors{"name": "is already in use"}
		} else if err != nil {
			return fmt.Errorf("update plan: %w", err)
		}
		p = updated
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "plan.update", TargetType: "plan", TargetID: p.ID.String(),
			Summary: fmt.Sprintf("plan %q: %s", p.Name, strings.Join(changes, ", ")),
		})
	})
	return p, err
}

func severalText(several bool) string {
	if several {
		return ", several devices per subscriber"
	}
	return ""
}
