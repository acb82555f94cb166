package cpe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/validation"
)

// AssignInput names the subscriber by id or username (any case).
type AssignInput struct {
	SubscriberID *uuid.UUID `json:"subscriberId,omitempty"`
	Subscriber   string     `json:"subscriber,omitempty"` // username
	// Move takes the subscriber off the device(s) they are on: those are
	// unassigned and their PPPoE login cleared. Without it, a subscriber
	// on another device is refused (AssignedElsewhereError), unless their
	// plan allows several devices: then this device needs its own PPPoE
	// login (PPPoEUsername, PPPoEPassword), unique in the organization.
	Move          bool   `json:"move,omitempty"`
	PPPoEUsername string `json:"pppoeUsername,omitempty"`
	PPPoEPassword string `json:"pppoePassword,omitempty"`
}

// Elsewhere is a device a subscriber is already on.
type Elsewhere struct {
	ID     uuid.UUID `json:"id" db:"id"`
	Serial string    `json:"serial" db:"serial"`
}

// AssignedElsewhereError refuses to give a subscriber a second device: two
// CPEs would dial with one PPPoE login. Nothing was changed.
type AssignedElsewhereError struct {
	Subscriber string
	Devices    []Elsewhere
}

func (e *AssignedElsewhereError) Error() string {
	return fmt.Sprintf("%s is already on device %s; move them (move: true) to unassign it and clear its PPPoE login",
		e.Subscriber, Serials(e.Devices))
}

// Serials lists the devices' serials ("A, B").
func Serials(es []Elsewhere) string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Serial
	}
	return strings.Join(out, ", ")
}

// clearLine forgets a device's own line login (SET list fragment).
const clearLine = `line_username = '', line_password_enc = NULL, line_key_id = ''`

// lineLogin is a device's own PPPoE login, the password sealed to the
// device's id.
type lineLogin struct {
	username string
	sealed   []byte
	keyID    string
}

// lineLogin checks and seals the own login of a further device of a
// subscriber whose plan allows several: required, and no other
// subscription's or device's in the organization (under the
// organization's login lock).
func (s *Service) lineLogin(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, username string, others []Elsewhere, in AssignInput) (*lineLogin, error) {
	errs := validation.Errors{}
	u := subscriber.CheckLine(errs, in.PPPoEUsername, in.PPPoEPassword)
	if errs["pppoeUsername"] == "is required" {
		errs["pppoeUsername"] = fmt.Sprintf("%s is already on %s and their plan allows several devices: this one needs its own PPPoE username",
			username, Serials(others))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := subscriber.LockLogins(ctx, tx, orgID); err != nil {
		return nil, err
	}
	if holder, err := subscriber.SubscriptionHolder(ctx, tx, orgID, u); err != nil {
		return nil, err
	} else if holder != "" {
		return nil, validation.Errors{"pppoeUsername": "is already the PPPoE username of subscriber " + holder}
	}
	if serial, err := subscriber.LineHolder(ctx, tx, orgID, u, id); err != nil {
		return nil, err
	} else if serial != "" {
		return nil, validation.Errors{"pppoeUsername": "is already the PPPoE login of device " + serial}
	}
	sealed, keyID := s.box.Seal([]byte(in.PPPoEPassword), id[:])
	return &lineLogin{username: u, sealed: sealed, keyID: keyID}, nil
}

// Assign links a device to a subscriber and queues the push of the
// subscriber's PPPoE login and sub:/plan: tags. The assignment is saved
// even when GenieACS or the device is unreachable; the push retries until
// it lands (push state "pending" meanwhile).
func (s *Service) Assign(ctx context.Context, a actor.Actor, id uuid.UUID, in AssignInput) (Device, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Device{}, err
	}
	if in.SubscriberID == nil && strings.TrimSpace(in.Subscriber) == "" {
		return Device{}, validation.Errors{"subscriber": "is required"}
	}
	var d Device
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		// A device known to have no (writable) PPP connection cannot take
		// the login; one not judged yet is assigned, and its push reads
		// its PPP connections first (pending meanwhile, saying so).
		if err := before.Capabilities.Need(datamodel.CapPPPoE); err != nil {
			return err
		}
		sub, err := db.One[struct {
			ID          uuid.UUID `db:"id"`
			Username    string    `db:"username"`
			Status      string    `db:"status"`
			Group       string    `db:"plan_group"`
			Several     bool      `db:"several"`
			PPPUser     string    `db:"pppoe_username"`
			HasPassword bool      `db:"has_password"`
		}](ctx, tx, `SELECT s.id, s.username, s.status, COALESCE(p.genieacs_group, '') AS plan_group, COALESCE(p.several_devices, false) AS several,
				COALESCE(sub.pppoe_username, '') AS pppoe_username, `+subscriber.HasPasswordSQL+` AS has_password
			FROM subscribers s LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id LEFT JOIN plans p ON p.id = sub.plan_id
			WHERE s.org_id = $1 AND (s.id = $2::uuid OR ($2::uuid IS NULL AND lower(s.username) = lower($3)))
			FOR UPDATE OF s`,
			a.OrgID, in.SubscriberID, strings.TrimSpace(in.Subscriber))
		if errors.Is(db.MapErr(err), db.ErrNotFound) {
			return validation.Errors{"subscriber": "no such subscriber in this organization"}
		} else if err != nil {
			return err
		}
		subID, username, group := sub.ID, sub.Username, sub.Group
		switch {
		case sub.Status != "active":
			return validation.Errors{"subscriber": username + " is suspended"}
		case sub.PPPUser == "" || !sub.HasPassword:
			return validation.Errors{"subscriber": username + " has no PPPoE credentials; set them on the subscriber first"}
		}
		// The subscriber's row is locked: two assignments of one subscriber
		// run one after the other, and the second sees the first's device.
		rows, err := tx.Query(ctx, `SELECT id, serial_norm AS serial FROM cpe_devices WHERE org_id = $1 AND subscriber_id = $2 AND id <> $3 ORDER BY serial_norm`,
			a.OrgID, subID, id)
		if err != nil {
			return err
		}
		others, err := pgx.CollectRows(rows, pgx.RowToStructByName[Elsewhere])
		if err != nil {
			return err
		}
		var line *lineLogin
		if len(others) > 0 && !in.Move {
			if !sub.Several {
				return &AssignedElsewhereError{Subscriber: username, Devices: others}
			}
			// The plan allows several devices: this one dials with its own login.
			if line, err = s.lineLogin(ctx, tx, a.OrgID, id, username, others, in); err != nil {
				return err
			}
			others = nil
		}
		for _, o := range others {
			if _, err := tx.Exec(ctx, `UPDATE cpe_devices SET subscriber_id = NULL, pppoe_clear = true, `+clearLine+`, updated_at = now() WHERE id = $1`, o.ID); err != nil {
				return fmt.Errorf("move: %w", err)
			}
			if _, err := s.changed(ctx, tx, a, o.ID, audit.Entry{Action: "cpe.unassign",
				Summary: fmt.Sprintf("moved %s from %s to %s; clearing its PPPoE login", username, o.Serial, before.Serial)},
				outbox.TopicUnassigned, map[string]any{"deviceId": o.ID, "serial": o.Serial, "previousSubscriber": username, "movedTo": id}); err != nil {
				return err
			}
		}
		if line == nil {
			_, err = tx.Exec(ctx, `UPDATE cpe_devices SET subscriber_id = $2, pppoe_clear = false, `+clearLine+`, updated_at = now() WHERE id = $1`, id, subID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE cpe_devices SET subscriber_id = $2, pppoe_clear = false, line_username = $3, line_password_enc = $4, line_key_id = $5,
				updated_at = now() WHERE id = $1`, id, subID, line.username, line.sealed, line.keyID)
		}
		if err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		summary := fmt.Sprintf("assigned %s to %s", before.Serial, username)
		if line != nil {
			summary += " with its own PPPoE login " + line.username
		}
		if before.Subscriber != "" && before.Subscriber != username {
			summary = fmt.Sprintf("reassigned %s from %s to %s", before.Serial, before.Subscriber, username)
		}
		d, err = s.changed(ctx, tx, a, id, audit.Entry{Action: "cpe.assign", Summary: summary}, outbox.TopicAssigned, map[string]any{
			"deviceId": id, "serial": before.Serial, "subscriber": username, "plan": group, "previousSubscriber": before.Subscriber,
		})
		return err
	})
	return d, err
}

// Unassign unlinks a device from its subscriber and queues the push that
// removes the sub:/plan: tags and clears the PPPoE login on the CPE (its
// connection disabled): a CPE without a subscriber never dials with a
// login that may be on another device next.
func (s *Service) Unassign(ctx context.Context, a actor.Actor, id uuid.UUID) (Device, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Device{}, err
	}
	var d Device
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if before.SubscriberID == nil {
			return validation.Errors{"subscriber": "this device is not assigned"}
		}
		if _, err := tx.Exec(ctx, `UPDATE cpe_devices SET subscriber_id = NULL, pppoe_clear = true, `+clearLine+`, updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		d, err = s.changed(ctx, tx, a, id, audit.Entry{Action: "cpe.unassign", Summary: fmt.Sprintf("unassigned %s from %s; clearing its PPPoE login", before.Serial, before.Subscriber)},
			outbox.TopicUnassigned, map[string]any{"deviceId": id, "serial": before.Serial, "previousSubscriber": before.Subscriber})
		return err
	})
	return d, err
}

// RetryPush queues the push again (after a failure).
func (s *Service) RetryPush(ctx context.Context, a actor.Actor, id uuid.UUID) (Device, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Device{}, err
	}
	var d Device
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		d, err = s.changed(ctx, tx, a, id, audit.Entry{Action: "cpe.push_retry", Summary: "pushed the configuration of " + before.Serial + " again"}, "", nil)
		return err
	})
	return d, err
}

// changed finishes a change to a device inside its transaction: the audit
// row (its target is the device), the outbox event when topic is set, the
// push of the device's new desired state, and the device as it now is.
func (s *Service) changed(ctx context.Context, tx pgx.Tx, a actor.Actor, id uuid.UUID, e audit.Entry, topic outbox.Topic, payload map[string]any) (Device, error) {
	e.TargetType, e.TargetID = "cpe", id.String()
	if err := audit.Record(ctx, tx, a, e); err != nil {
		return Device{}, err
	}
	if topic != "" {
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, topic, payload); err != nil {
			return Device{}, err
		}
	}
	if err := s.requestPush(ctx, tx, id, ""); err != nil {
		return Device{}, err
	}
	return s.get(ctx, tx, a.OrgID, id)
}

// getForUpdate locks one device of the organization for a change.
func (s *Service) getForUpdate(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID) (Device, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM cpe_devices WHERE org_id = $1 AND id = $2 FOR UPDATE`, orgID, id); err != nil {
		return Device{}, err
	}
	return s.get(ctx, tx, orgID, id)
}
