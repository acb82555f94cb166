// Package subscribertest is the subscribers test kit: fixtures that write
// plans, subscribers and their subscriptions directly, for tests (and
// benchmark seeding) only. The tables' SQL, and above all the sealed PPPoE
// password's column, stay under internal/subscriber.
//
// The helpers write only the rows they name: no audit rows, no validation
// beyond the tables' constraints (use subscriber.Service for those). They
// take any db.Executor and return errors; unique violations are
// db.ErrConflict. Production code must not import this package.
package subscribertest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/secret"
)

// Subscriber is a subscriber to insert with their subscription.
type Subscriber struct {
	OrgID         uuid.UUID
	Username      string
	Name          string
	Status        string     // "" is active; or suspended
	PlanID        *uuid.UUID // nil: no plan
	PPPoEUsername string
	// PPPoEPassword is sealed with the box, bound to the subscription id as
	// subscriber.Service seals it; "" stores none.
	PPPoEPassword string
}

// Insert inserts a subscriber with their subscription and returns the
// subscriber's id. box may be nil when no password is given.
func Insert(ctx context.Context, exec db.Executor, box *secret.Box, s Subscriber) (uuid.UUID, error) {
	ids, err := InsertMany(ctx, exec, box, []Subscriber{s})
	if err != nil {
		return uuid.Nil, err
	}
	return ids[0], nil
}

// InsertMany inserts the subscribers and their subscriptions (two
// statements, however many) and returns the subscribers' ids in order.
func InsertMany(ctx context.Context, exec db.Executor, box *secret.Box, ss []Subscriber) ([]uuid.UUID, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	type subscriberRow struct {
		ID       uuid.UUID `json:"id"`
		OrgID    uuid.UUID `json:"org_id"`
		Username string    `json:"username"`
		Name     string    `json:"name"`
		Status   string    `json:"status"`
	}
	type subscriptionRow struct {
		ID           uuid.UUID  `json:"id"`
		OrgID        uuid.UUID  `json:"org_id"`
		SubscriberID uuid.UUID  `json:"subscriber_id"`
		PlanID       *uuid.UUID `json:"plan_id"`
		Username     string     `json:"pppoe_username"`
		Sealed       *string    `json:"pppoe_password_enc"` // bytea input: \x and hex
		KeyID        string     `json:"pppoe_key_id"`
	}
	subs := make([]subscriberRow, len(ss))
	subscriptions := make([]subscriptionRow, len(ss))
	ids := make([]uuid.UUID, len(ss))
	for i, s := range ss {
		status := s.Status
		if status == "" {
			status = "active"
		}
		ids[i] = uuid.New()
		subs[i] = subscriberRow{ids[i], s.OrgID, s.Username, s.Name, status}
		sub := subscriptionRow{ID: uuid.New(), OrgID: s.OrgID, SubscriberID: ids[i], PlanID: s.PlanID, Username: s.PPPoEUsername}
		if s.PPPoEPassword != "" {
			if box == nil {
				return nil, fmt.Errorf("subscribertest: %s has a PPPoE password and there is no box to seal it", s.Username)
			}
			sealed, kid := box.Seal([]byte(s.PPPoEPassword), sub.ID[:])
			enc := `\x` + hex.EncodeToString(sealed)
			sub.Sealed, sub.KeyID = &enc, kid
		}
		subscriptions[i] = sub
	}
	rows, err := json.Marshal(subs)
	if err != nil {
		return nil, err
	}
	if _, err := exec.Exec(ctx, `INSERT INTO subscribers (id, org_id, username, name, status)
		SELECT id, org_id, username, name, status
		FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id uuid, username text, name text, status text)`, string(rows)); err != nil {
		return nil, fmt.Errorf("subscribertest: insert subscribers: %w", db.MapErr(err))
	}
	if rows, err = json.Marshal(subscriptions); err != nil {
		return nil, err
	}
	if _, err := exec.Exec(ctx, `INSERT INTO subscriptions (id, org_id, subscriber_id, plan_id, pppoe_username, pppoe_password_enc, pppoe_key_id)
		SELECT id, org_id, subscriber_id, plan_id, pppoe_username, pppoe_password_enc, pppoe_key_id
		FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id uuid, subscriber_id uuid, plan_id uuid, pppoe_username text,
			pppoe_password_enc bytea, pppoe_key_id text)`, string(rows)); err != nil {
		return nil, fmt.Errorf("subscribertest: insert subscriptions: %w", db.MapErr(err))
	}
	return ids, nil
}

// Plan inserts a plan of the organization whose name and GenieACS group
// are both group, and returns its id.
func Plan(ctx context.Context, exec db.Executor, orgID uuid.UUID, group string) (uuid.UUID, error) {
	var id uuid.UUID
	if err := exec.QueryRow(ctx, `INSERT INTO plans (org_id, name, genieacs_group) VALUES ($1, $2, $2) RETURNING id`,
		orgID, group).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("subscribertest: insert plan: %w", db.MapErr(err))
	}
	return id, nil
}

// WithPassword counts the subscriptions, of every organization, that hold
// a sealed PPPoE password.
func WithPassword(ctx context.Context, exec db.Executor) (int, error) {
	var n int
	if err := exec.QueryRow(ctx, `SELECT count(*) FROM subscriptions WHERE pppoe_password_enc IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("subscribertest: count passwords: %w", err)
	}
	return n, nil
}
