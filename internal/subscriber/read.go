package subscriber

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// subscriberColumns and subscriberFrom read a Subscriber (alias s) with its
// subscription (sub) and plan (p) in one query, by name (its db tags). The
// sealed password is not read: only whether there is one.
const (
	subscriberColumns = `s.id, s.username, s.name, s.phone, s.status, sub.plan_id,
		COALESCE(p.name, '') AS plan_name, COALESCE(p.genieacs_group, '') AS plan_group,
		COALESCE(sub.pppoe_username, '') AS pppoe_username, sub.pppoe_password_enc IS NOT NULL AS has_pppoe_password,
		s.created_at, GREATEST(s.updated_at, sub.updated_at) AS updated_at`
	subscriberFrom = `subscribers s
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		LEFT JOIN plans p ON p.id = sub.plan_id AND p.org_id = s.org_id`
)

// Get returns one subscriber of the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Subscriber, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Subscriber{}, err
	}
	return get(ctx, s.pool, a.OrgID, id)
}

func get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (Subscriber, error) {
	u, err := db.One[Subscriber](ctx, exec, `SELECT `+subscriberColumns+` FROM `+subscriberFrom+`
		WHERE s.org_id = $1 AND s.id = $2`, orgID, id)
	return u, db.MapErr(err)
}

// GetByUsername returns the subscriber of the actor's organization with
// exactly this username.
func (s *Service) GetByUsername(ctx context.Context, a actor.Actor, username string) (Subscriber, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Subscriber{}, err
	}
	u, err := db.One[Subscriber](ctx, s.pool, `SELECT `+subscriberColumns+` FROM `+subscriberFrom+`
		WHERE s.org_id = $1 AND s.username = $2`, a.OrgID, strings.TrimSpace(username))
	return u, db.MapErr(err)
}

// Paging limits of List.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

func (f Filter) validate() error {
	errs := validation.Errors{}
	if f.Status != "" && !validStatus(f.Status) {
		errs.Add("status", "must be active or suspended")
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		errs.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	return errs.Err()
}

// List returns the actor's organization's subscribers matching f, ordered
// by username and keyset-paged on it (no OFFSET), with subscription and plan
// joined in the same query.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Page{}, err
	}
	if err := f.validate(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	where := []string{"s.org_id = $1"}
	args := []any{a.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "s.status = "+arg(f.Status))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		// Username by prefix (case-sensitive, as usernames are
		// identifiers), name and phone anywhere, ignoring case.
		like := escapeLike(q)
		where = append(where, "(s.username LIKE "+arg(like+"%")+" OR s.name ILIKE "+arg("%"+like+"%")+
			" OR s.phone ILIKE "+arg("%"+like+"%")+")")
	}
	if f.After != "" {
		where = append(where, "s.username > "+arg(f.After))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+subscriberColumns+` FROM `+subscriberFrom+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY s.username LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list subscribers: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Subscriber])
	if err != nil {
		return Page{}, fmt.Errorf("list subscribers: %w", err)
	}
	p := Page{Items: items}
	if len(items) > f.Limit {
		p.Items = items[:f.Limit]
		p.Next = p.Items[f.Limit-1].Username
	}
	return p, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
