package subscriber

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/db"
)

// Credentials is for the device push (no actor check: the caller, the cpe
// package, has already checked its own actor); it runs on the caller's
// executor so it can share a transaction. It returns the password whatever
// the subscriber's status: the caller decides what a suspended subscriber's
// device gets.
func (s *Service) Credentials(ctx context.Context, exec db.Executor, orgID, subscriberID uuid.UUID) (Credentials, error) {
	r, err := db.One[struct {
		SubscriberID   uuid.UUID  `db:"id"`
		Username       string     `db:"username"`
		Status         string     `db:"status"`
		Group          *string    `db:"genieacs_group"`
		SubscriptionID *uuid.UUID `db:"subscription_id"`
		PPPoEUsername  *string    `db:"pppoe_username"`
		Sealed         []byte     `db:"pppoe_password_enc"`
		KeyID          *string    `db:"pppoe_key_id"`
	}](ctx, exec, `SELECT s.id, s.username, s.status, p.genieacs_group,
			sub.id AS subscription_id, sub.pppoe_username, sub.pppoe_password_enc, sub.pppoe_key_id
		FROM `+subscriberFrom+` WHERE s.org_id = $1 AND s.id = $2`, orgID, subscriberID)
	if err != nil {
		return Credentials{}, db.MapErr(err)
	}
	c := Credentials{SubscriberID: r.SubscriberID, Username: r.Username, Status: r.Status}
	if r.Group != nil {
		c.PlanGroup = *r.Group
	}
	if r.PPPoEUsername != nil {
		c.PPPoEUsername = *r.PPPoEUsername
	}
	if r.Sealed != nil && r.SubscriptionID != nil && r.KeyID != nil {
		pw, err := s.box.Open(r.Sealed, *r.KeyID, r.SubscriptionID[:])
		if err != nil {
			return Credentials{}, fmt.Errorf("open PPPoE password of subscription %s: %w", r.SubscriptionID, err)
		}
		c.PPPoEPassword = string(pw)
	}
	return c, nil
}

// SealedColumns select, from subscriptions under the alias sub, what a
// Sealed is scanned from: a caller joining subscriptions in its own query
// (identify's one read of a device's whole desired state) takes the PPPoE
// login sealed and has this package open it.
const SealedColumns = `sub.id, sub.pppoe_username, sub.pppoe_password_enc, sub.pppoe_key_id`

// DeviceLoginColumns select, in SealedColumns' order, the login a device
// (alias dl, a cpe_devices row) dials with: its own line login when it has
// one (plans with several devices per subscriber; sealed to the device's
// id), else its subscription's (alias sub).
const DeviceLoginColumns = `CASE WHEN dl.line_username <> '' THEN dl.id ELSE sub.id END,
	CASE WHEN dl.line_username <> '' THEN dl.line_username ELSE sub.pppoe_username END,
	CASE WHEN dl.line_username <> '' THEN dl.line_password_enc ELSE sub.pppoe_password_enc END,
	CASE WHEN dl.line_username <> '' THEN dl.line_key_id ELSE sub.pppoe_key_id END`

// HasPasswordSQL is true for a subscription (alias sub) with a PPPoE
// password set.
const HasPasswordSQL = `sub.pppoe_password_enc IS NOT NULL`

// Sealed is a PPPoE login as stored, the password sealed to the row id
// (a subscription's, or a device's own line login).
type Sealed struct {
	SubscriptionID *uuid.UUID
	Username       *string
	enc            []byte
	keyID          *string
}

// Dest are the scan targets of SealedColumns.
func (c *Sealed) Dest() []any { return []any{&c.SubscriptionID, &c.Username, &c.enc, &c.keyID} }

// Set reports whether a username and a password are both stored.
func (c Sealed) Set() bool {
	return c.SubscriptionID != nil && c.Username != nil && *c.Username != "" && c.enc != nil && c.keyID != nil
}

// Open returns the login with its password opened (ok false when not Set).
func (s *Service) Open(c Sealed) (username, password string, ok bool, err error) {
	if !c.Set() {
		return "", "", false, nil
	}
	pw, err := s.box.Open(c.enc, *c.keyID, c.SubscriptionID[:])
	if err != nil {
		return "", "", false, fmt.Errorf("open PPPoE password of subscription %s: %w", c.SubscriptionID, err)
	}
	return *c.Username, string(pw), true, nil
}

// LockLogins serializes an organization's writers of PPPoE usernames until
// the transaction ends: subscriptions and devices' own line logins are two
// tables, so no one unique index guards both.
func LockLogins(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('pppoe-logins:' || $1::text, 0))`, orgID)
	return err
}

// LineHolder names the device (its serial) whose own line login is PPPoE
// username u in the organization, other than device self; "" when none.
func LineHolder(ctx context.Context, exec db.Executor, orgID uuid.UUID, u string, self uuid.UUID) (string, error) {
	var serial string
	err := exec.QueryRow(ctx, `SELECT serial_norm FROM cpe_devices
		WHERE org_id = $1 AND line_username <> '' AND lower(line_username) = lower($2) AND id <> $3 LIMIT 1`, orgID, u, self).Scan(&serial)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return serial, err
}

// SubscriptionHolder names the subscriber whose subscription's PPPoE
// username is u in the organization; "" when none.
func SubscriptionHolder(ctx context.Context, exec db.Executor, orgID uuid.UUID, u string) (string, error) {
	var username string
	err := exec.QueryRow(ctx, `SELECT s.username FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.org_id = $1 AND sub.pppoe_username <> '' AND lower(sub.pppoe_username) = lower($2) LIMIT 1`, orgID, u).Scan(&username)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return username, err
}
