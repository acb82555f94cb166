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
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/validation"
)

// errUsernameTaken is the field error of a duplicate username (whatever
// its case: "Wanjiru" and "wanjiru" are one customer).
var errUsernameTaken = validation.Errors{"username": "is already in use"}

// errPPPoETaken is the field error of a PPPoE username another subscriber
// of the organization has: two CPEs dialling with one login lose one
// session at the BRAS.
var errPPPoETaken = validation.Errors{"pppoeUsername": "is already another subscriber's PPPoE username"}

// subscriptionErr maps a refused subscription write.
func subscriptionErr(err error) error {
	if err = db.MapErr(err); errors.Is(err, db.ErrConflict) && strings.Contains(err.Error(), "pppoe") {
		return errPPPoETaken
	}
	return fmt.Errorf("write subscription: %w", err)
}

// lineTaken refuses a PPPoE username that is a device's own line login in
// the organization (plans with several devices per subscriber), holding
// the organization's login lock until the transaction ends.
func lineTaken(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, u string) error {
	if u == "" {
		return nil
	}
	if err := LockLogins(ctx, tx, orgID); err != nil {
		return err
	}
	serial, err := LineHolder(ctx, tx, orgID, u, uuid.Nil)
	if err != nil {
		return err
	}
	if serial != "" {
		return validation.Errors{"pppoeUsername": "is already the PPPoE login of device " + serial}
	}
	return nil
}

// tagTaken refuses a username whose device tag (sub:<username>, see
// cpe.TagSafe) another subscriber of the organization already has (self:
// the subscriber being renamed, or uuid.Nil). Concurrent writers of the
// same tag wait for each other (a transaction-scoped advisory lock), so
// two of them cannot both pass.
func tagTaken(ctx context.Context, tx pgx.Tx, orgID, self uuid.UUID, username string) error {
	tag := devtag.Safe(username)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0))`, orgID, tag); err != nil {
		return fmt.Errorf("lock subscriber tag: %w", err)
	}
	var other string
	err := tx.QueryRow(ctx, `SELECT username FROM subscribers
		WHERE org_id = $1 AND regexp_replace(username, '[^A-Za-z0-9_:-]', '_', 'g') = $2 AND id <> $3 AND username <> $4
		LIMIT 1`, orgID, tag, self, username).Scan(&other)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check subscriber tag: %w", err)
	}
	return validation.Errors{"username": fmt.Sprintf("would share the device tag %s%s with %s; choose another", devtag.PrefixSub, tag, other)}
}

// planName checks that id (if any) is a plan of the organization and
// returns its name ("" without a plan).
func planName(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, id *uuid.UUID) (string, error) {
	if id == nil {
		return "", nil
	}
	// FOR SHARE: the plan cannot change organization or vanish before commit.
	p, err := getPlan(ctx, tx, orgID, *id, "FOR SHARE")
	if errors.Is(err, db.ErrNotFound) {
		return "", validation.Errors{"planId": "unknown plan"}
	}
	return p.Name, err
}

// seal encrypts a PPPoE password bound to its subscription row.
func (s *Service) seal(password string, subscriptionID uuid.UUID) ([]byte, string) {
	return s.box.Seal([]byte(password), subscriptionID[:])
}

// Create adds a subscriber with their subscription to the actor's
// organization.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Subscriber, error) {
	if err := a.Require(actor.PermManageCatalog); err != nil {
		return Subscriber{}, err
	}
	in, err := in.validate()
	if err != nil {
		return Subscriber{}, err
	}
	subscriptionID := uuid.New()
	var (
		sealed []byte
		keyID  string
	)
	if in.PPPoEPassword != "" {
		sealed, keyID = s.seal(in.PPPoEPassword, subscriptionID)
	}
	var u Subscriber
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		plan, err := planName(ctx, tx, a.OrgID, in.PlanID)
		if err != nil {
			return err
		}
		if err := tagTaken(ctx, tx, a.OrgID, uuid.Nil, in.Username); err != nil {
			return err
		}
		var id uuid.UUID
		err = tx.QueryRow(ctx, `INSERT INTO subscribers (org_id, username, name, phone) VALUES ($1, $2, $3, $4) RETURNING id`,
			a.OrgID, in.Username, in.Name, in.Phone).Scan(&id)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return errUsernameTaken
		} else if err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
		if err := lineTaken(ctx, tx, a.OrgID, in.PPPoEUsername); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (id, org_id, subscriber_id, plan_id, pppoe_username, pppoe_password_enc, pppoe_key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, subscriptionID, a.OrgID, id, in.PlanID, in.PPPoEUsername, sealed, keyID); err != nil {
			return subscriptionErr(err)
		}
		if u, err = get(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		details := []string{"plan " + orNone(plan)}
		if in.PPPoEUsername != "" {
			details = append(details, "PPPoE username "+in.PPPoEUsername)
		}
		if sealed != nil {
			details = append(details, "PPPoE password set")
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "subscriber.create", TargetType: "subscriber", TargetID: id.String(),
			Summary: fmt.Sprintf("created subscriber %s (%s)", u.Username, strings.Join(details, ", ")),
		})
	})
	return u, err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// stored is a subscriber row with its subscription, locked for an edit.
type stored struct {
	Subscriber
	SubscriptionID *uuid.UUID `db:"subscription_id"`
}

func getForUpdate(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID) (stored, error) {
	st, err := db.One[stored](ctx, tx, `SELECT `+subscriberColumns+`, sub.id AS subscription_id FROM `+subscriberFrom+`
		WHERE s.org_id = $1 AND s.id = $2 FOR UPDATE OF s`, orgID, id)
	return st, db.MapErr(err)
}

// Update replaces a subscriber's username, name, phone, plan and PPPoE
// username. The PPPoE password is replaced when in carries one, removed
// when ClearPPPoEPassword is set, and kept otherwise.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, in Input) (Subscriber, error) {
	if err := a.Require(actor.PermManageCatalog); err != nil {
		return Subscriber{}, err
	}
	in, err := in.validate()
	if err != nil {
		return Subscriber{}, err
	}
	var u Subscriber
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		keep := in.PPPoEPassword == "" && !in.ClearPPPoEPassword
		if keep && before.HasPPPoEPassword && in.PPPoEUsername == "" {
			return validation.Errors{"pppoeUsername": errNeedPPPoEUsername}
		}
		plan, err := planName(ctx, tx, a.OrgID, in.PlanID)
		if err != nil {
			return err
		}
		var changes []string
		if in.Username != before.Username {
			changes = append(changes, "username "+before.Username+" → "+in.Username)
		}
		if in.Name != before.Name {
			changes = append(changes, "name changed")
		}
		if in.Phone != before.Phone {
			changes = append(changes, "phone changed")
		}
		if !samePlan(in.PlanID, before.PlanID) {
			changes = append(changes, "plan "+orNone(before.PlanName)+" → "+orNone(plan))
		}
		if in.PPPoEUsername != before.PPPoEUsername {
			changes = append(changes, "PPPoE username changed")
		}
		switch {
		case in.PPPoEPassword != "":
			changes = append(changes, "PPPoE password changed")
		case in.ClearPPPoEPassword && before.HasPPPoEPassword:
			changes = append(changes, "PPPoE password removed")
		}
		if len(changes) == 0 {
			u = before.Subscriber
			return nil
		}

		if in.Username != before.Username {
			if err := tagTaken(ctx, tx, a.OrgID, id, in.Username); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE subscribers SET username = $3, name = $4, phone = $5, updated_at = now()
			WHERE org_id = $1 AND id = $2`, a.OrgID, id, in.Username, in.Name, in.Phone)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return errUsernameTaken
		} else if err != nil {
			return fmt.Errorf("update subscriber: %w", err)
		} else if tag.RowsAffected() != 1 {
			return db.ErrNotFound
		}
		subID := uuid.New()
		if before.SubscriptionID != nil {
			subID = *before.SubscriptionID
		}
		var (
			sealed []byte
			keyID  string
		)
		if in.PPPoEPassword != "" {
			sealed, keyID = s.seal(in.PPPoEPassword, subID)
		}
		if err := lineTaken(ctx, tx, a.OrgID, in.PPPoEUsername); err != nil {
			return err
		}
		// One statement whether or not the row exists (rows written before
		// this package may lack one); $8 false keeps the stored password.
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (id, org_id, subscriber_id, plan_id, pppoe_username, pppoe_password_enc, pppoe_key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (subscriber_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, pppoe_username = EXCLUDED.pppoe_username,
				pppoe_password_enc = CASE WHEN $8 THEN EXCLUDED.pppoe_password_enc ELSE subscriptions.pppoe_password_enc END,
				pppoe_key_id = CASE WHEN $8 THEN EXCLUDED.pppoe_key_id ELSE subscriptions.pppoe_key_id END,
				updated_at = now()`,
			subID, a.OrgID, id, in.PlanID, in.PPPoEUsername, sealed, keyID, !keep); err != nil {
			return subscriptionErr(err)
		}
		if u, err = get(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "subscriber.update", TargetType: "subscriber", TargetID: id.String(),
			Summary: u.Username + ": " + strings.Join(changes, ", "),
		})
	})
	return u, err
}

func samePlan(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// SetStatus suspends (StatusSuspended) or re-activates (StatusActive) a
// subscriber. Setting the current status again is a no-op.
func (s *Service) SetStatus(ctx context.Context, a actor.Actor, id uuid.UUID, status string) (Subscriber, error) {
	if err := a.Require(actor.PermManageCatalog); err != nil {
		return Subscriber{}, err
	}
	if !validStatus(status) {
		return Subscriber{}, validation.Errors{"status": "must be active or suspended"}
	}
	var u Subscriber
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if before.Status == status {
			u = before.Subscriber
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = $3, updated_at = now() WHERE org_id = $1 AND id = $2`,
			a.OrgID, id, status); err != nil {
			return fmt.Errorf("set subscriber status: %w", err)
		}
		if u, err = get(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		action, verb := "subscriber.activate", "activated"
		if status == StatusSuspended {
			action, verb = "subscriber.suspend", "suspended"
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: action, TargetType: "subscriber", TargetID: id.String(),
			Summary: verb + " subscriber " + u.Username,
		})
	})
	return u, err
}
