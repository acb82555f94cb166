package cpe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Identity conflict states.
const (
	ConflictOpen     = "open"
	ConflictAccepted = "accepted"
	ConflictRejected = "rejected"
)

// IdentityConflict is a report of a claimed device's serial by a CPE whose
// OUI, product class or GenieACS id differs from the stored one. The serial
// is only the CPE's own claim in TR-069: until an owner or admin accepts
// the new identity (a swap or RMA), such a CPE is answered the
// organization's tag and no secrets (nothing once rejected), and the stored
// identity stays.
type IdentityConflict struct {
	ID             uuid.UUID  `json:"id" db:"id"`
	DeviceID       uuid.UUID  `json:"deviceId" db:"device_id"`
	Serial         string     `json:"serial" db:"serial_norm"` // the device's, normalised
	Status         string     `json:"status" db:"status"`
	ReportedSerial string     `json:"reportedSerial" db:"reported_serial"`
	OUI            string     `json:"oui" db:"oui"`
	ProductClass   string     `json:"productClass" db:"product_class"`
	Manufacturer   string     `json:"manufacturer" db:"manufacturer"`
	GenieACSID     string     `json:"genieacsId" db:"genieacs_id"`
	DataModel      string     `json:"dataModel" db:"data_model"`
	Stored         Identity   `json:"stored" db:"-"` // read from conflictRow's stored_* columns
	Reports        int        `json:"reports" db:"reports"`
	OpenedAt       time.Time  `json:"openedAt" db:"opened_at"`
	LastSeenAt     time.Time  `json:"lastSeenAt" db:"last_seen_at"`
	ResolvedAt     *time.Time `json:"resolvedAt,omitempty" db:"resolved_at"`
	ResolvedBy     string     `json:"resolvedBy,omitempty" db:"resolved_by"`
}

// Identity is the part of a device's identity a conflict compares.
type Identity struct {
	OUI          string `json:"oui"`
	ProductClass string `json:"productClass"`
	GenieACSID   string `json:"genieacsId"`
}

// Differs names the fields of the reported identity that differ from the
// stored one, for people ("OUI 00259E → 9CE374").
func (c IdentityConflict) Differs() []string {
	var out []string
	if c.Stored.OUI != c.OUI {
		out = append(out, fmt.Sprintf("OUI %s → %s", c.Stored.OUI, c.OUI))
	}
	if c.Stored.ProductClass != c.ProductClass {
		out = append(out, fmt.Sprintf("product class %s → %s", c.Stored.ProductClass, c.ProductClass))
	}
	if c.Stored.GenieACSID != c.GenieACSID {
		out = append(out, fmt.Sprintf("GenieACS id %s → %s", c.Stored.GenieACSID, c.GenieACSID))
	}
	return out
}

// conflicts reports whether a report on a claimed device contradicts the
// stored identity: a different OUI (also against what inventory recorded
// before any contact), or, once the device has been in contact, a different
// product class or GenieACS id. The serial's form (hex or label) and the
// manufacturer's wording are not identity.
func (k knownRow) conflicts(in IdentifyInput) bool {
	if k.oui != "" && k.oui != strings.ToUpper(in.OUI) {
		return true
	}
	if k.noContact {
		return false
	}
	return (k.productClass != "" && k.productClass != in.ProductClass) ||
		(k.genieacsID != "" && in.DeviceID != "" && k.genieacsID != in.DeviceID)
}

// conflict records a contradicting report (the first of an identity, or
// one of an identity accepted earlier, opens a conflict: audit row and
// cpe.identity_conflict event; later ones count) and returns its state.
func (s *Service) conflict(ctx context.Context, orgID, deviceID uuid.UUID, k knownRow, in IdentifyInput) (string, error) {
	type recorded struct {
		ID     uuid.UUID `db:"id"`
		Status string    `db:"status"`
		Fresh  bool      `db:"fresh"` // this report opened the conflict
	}
	var r recorded
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		r, err = db.One[recorded](ctx, tx, `
			INSERT INTO cpe_identity_conflicts AS c (org_id, device_id, reported_serial, oui, product_class, manufacturer, genieacs_id, data_model,
				stored_oui, stored_product_class, stored_genieacs_id)
			VALUES ($1, $2, $3, upper($4), $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (device_id, oui, product_class, genieacs_id) DO UPDATE SET
				reports = c.reports + 1, last_seen_at = now(), reported_serial = EXCLUDED.reported_serial,
				manufacturer = EXCLUDED.manufacturer, data_model = EXCLUDED.data_model,
				status = CASE WHEN c.status = 'accepted' THEN 'open' ELSE c.status END,
				opened_at = CASE WHEN c.status = 'accepted' THEN now() ELSE c.opened_at END,
				stored_oui = CASE WHEN c.status = 'accepted' THEN EXCLUDED.stored_oui ELSE c.stored_oui END,
				stored_product_class = CASE WHEN c.status = 'accepted' THEN EXCLUDED.stored_product_class ELSE c.stored_product_class END,
				stored_genieacs_id = CASE WHEN c.status = 'accepted' THEN EXCLUDED.stored_genieacs_id ELSE c.stored_genieacs_id END,
				resolved_at = CASE WHEN c.status = 'accepted' THEN NULL ELSE c.resolved_at END,
				resolved_by = CASE WHEN c.status = 'accepted' THEN NULL ELSE c.resolved_by END
			RETURNING id, status, opened_at = now() AS fresh`,
			orgID, deviceID, in.Serial, in.OUI, in.ProductClass, in.Manufacturer, in.DeviceID, DataModel(in.Root),
			k.oui, k.productClass, k.genieacsID)
		if err != nil {
			return fmt.Errorf("record identity conflict: %w", err)
		}
		if !r.Fresh {
			return nil
		}
		a := actor.Actor{Kind: actor.KindGenieACS, Label: "genieacs", OrgID: orgID}
		serial := NormalizeSerial(in.Serial)
		c := IdentityConflict{OUI: strings.ToUpper(in.OUI), ProductClass: in.ProductClass, GenieACSID: in.DeviceID,
			Stored: Identity{OUI: k.oui, ProductClass: k.productClass, GenieACSID: k.genieacsID}}
		if err := audit.Record(ctx, tx, a, audit.Entry{
			Action: "cpe.identity_conflict", TargetType: "cpe", TargetID: deviceID.String(),
			Summary: fmt.Sprintf("a CPE reported serial %s with another identity (%s): not applied, secrets withheld until an owner or admin accepts it",
				serial, strings.Join(c.Differs(), ", ")),
		}); err != nil {
			return err
		}
		_, err = outbox.Write(ctx, tx, s.jobs, orgID, outbox.TopicIdentityConflict, map[string]any{
			"conflictId": r.ID, "deviceId": deviceID, "serial": serial, "reportedSerial": in.Serial,
			"reported": map[string]any{"oui": c.OUI, "productClass": in.ProductClass, "manufacturer": in.Manufacturer, "genieacsId": in.DeviceID},
			"stored":   c.Stored,
		})
		return err
	})
	return r.Status, err
}

// conflictAnswer is identify's answer to a contradicting report: the
// organization's tag while the conflict is open, nothing once rejected.
func conflictAnswer(genieID, status string, r desiredRow) IdentifyAnswer {
	ans := IdentifyAnswer{DeviceID: genieID, Status: "conflict", Tags: []string{}, PeriodicInformInterval: PeriodicInformInterval}
	if status == ConflictOpen && r.slug != nil {
		ans.Tags = append(ans.Tags, devtag.Org(*r.slug))
	}
	return ans
}

// conflictColumns are read into a conflictRow by name.
const conflictColumns = `c.id, c.device_id, d.serial_norm, c.status, c.reported_serial, c.oui, c.product_class, c.manufacturer,
	c.genieacs_id, c.data_model, c.stored_oui, c.stored_product_class, c.stored_genieacs_id, c.reports, c.opened_at,
	c.last_seen_at, c.resolved_at, COALESCE(c.resolved_by, '') AS resolved_by`

// conflictRow is an IdentityConflict as read, its stored identity flat.
type conflictRow struct {
	IdentityConflict
	StoredOUI          string `db:"stored_oui"`
	StoredProductClass string `db:"stored_product_class"`
	StoredGenieACSID   string `db:"stored_genieacs_id"`
}

func (r conflictRow) conflict() IdentityConflict {
	c := r.IdentityConflict
	c.Stored = Identity{OUI: r.StoredOUI, ProductClass: r.StoredProductClass, GenieACSID: r.StoredGenieACSID}
	return c
}

func scanConflicts(rows pgx.Rows) ([]IdentityConflict, error) {
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[conflictRow])
	if err != nil {
		return nil, err
	}
	out := make([]IdentityConflict, len(rs))
	for i, r := range rs {
		out[i] = r.conflict()
	}
	return out, nil
}

// OpenConflicts lists the organization's open identity conflicts, newest
// first (at most limit), and how many are open in all.
func (s *Service) OpenConflicts(ctx context.Context, a actor.Actor, limit int) ([]IdentityConflict, int, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, 0, err
	}
	return s.openConflicts(ctx, &a.OrgID, limit)
}

// OpenConflictsAll is OpenConflicts across every organization, for the
// installation's operator (the System page).
func (s *Service) OpenConflictsAll(ctx context.Context, a actor.Actor, limit int) ([]IdentityConflict, int, error) {
	if err := a.RequireOperator(); err != nil {
		return nil, 0, err
	}
	return s.openConflicts(ctx, nil, limit)
}

func (s *Service) openConflicts(ctx context.Context, orgID *uuid.UUID, limit int) ([]IdentityConflict, int, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+conflictColumns+` FROM cpe_identity_conflicts c JOIN cpe_devices d ON d.id = c.device_id
		WHERE c.status = 'open' AND ($1::uuid IS NULL OR c.org_id = $1) ORDER BY c.opened_at DESC, c.id LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list identity conflicts: %w", err)
	}
	list, err := scanConflicts(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list identity conflicts: %w", err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_identity_conflicts WHERE status = 'open' AND ($1::uuid IS NULL OR org_id = $1)`, orgID).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("count identity conflicts: %w", err)
	}
	return list, n, nil
}

// deviceConflicts lists a device's open conflicts.
func (s *Service) deviceConflicts(ctx context.Context, exec db.Executor, orgID, deviceID uuid.UUID) ([]IdentityConflict, error) {
	rows, err := exec.Query(ctx, `SELECT `+conflictColumns+` FROM cpe_identity_conflicts c JOIN cpe_devices d ON d.id = c.device_id
		WHERE c.org_id = $1 AND c.device_id = $2 AND c.status = 'open' ORDER BY c.opened_at DESC, c.id`, orgID, deviceID)
	if err != nil {
		return nil, fmt.Errorf("list identity conflicts: %w", err)
	}
	return scanConflicts(rows)
}

// ErrConflictResolved says the conflict was accepted or rejected already.
var ErrConflictResolved = errors.New("this identity conflict is already resolved")

// ResolveConflict accepts (the CPE is the device now: swap or RMA; its
// identity is stored and its configuration pushed) or rejects (the stored
// identity stays; the CPE keeps being answered nothing) an open conflict
// of the organization's device.
func (s *Service) ResolveConflict(ctx context.Context, a actor.Actor, deviceID, conflictID uuid.UUID, accept bool) (IdentityConflict, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return IdentityConflict{}, err
	}
	var c IdentityConflict
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.getForUpdate(ctx, tx, a.OrgID, deviceID); err != nil {
			return err
		}
		r, err := db.One[conflictRow](ctx, tx, `SELECT `+conflictColumns+` FROM cpe_identity_conflicts c JOIN cpe_devices d ON d.id = c.device_id
			WHERE c.org_id = $1 AND c.device_id = $2 AND c.id = $3 FOR UPDATE OF c`, a.OrgID, deviceID, conflictID)
		if err != nil {
			return db.MapErr(err)
		}
		c = r.conflict()
		if c.Status != ConflictOpen {
			return ErrConflictResolved
		}
		status, action := ConflictRejected, "cpe.identity_rejected"
		if accept {
			status, action = ConflictAccepted, "cpe.identity_accepted"
		}
		resolved, err := db.One[struct {
			Status     string     `db:"status"`
			ResolvedAt *time.Time `db:"resolved_at"`
			ResolvedBy string     `db:"resolved_by"`
		}](ctx, tx, `UPDATE cpe_identity_conflicts SET status = $2, resolved_at = now(), resolved_by = $3
			WHERE id = $1 RETURNING status, resolved_at, resolved_by`, c.ID, status, validation.Storable(a.Label, 200))
		if err != nil {
			return err
		}
		c.Status, c.ResolvedAt, c.ResolvedBy = resolved.Status, resolved.ResolvedAt, resolved.ResolvedBy
		e := audit.Entry{Action: action, TargetType: "cpe", TargetID: deviceID.String()}
		if !accept {
			e.Summary = fmt.Sprintf("rejected the identity a CPE reported for %s (%s): it stays without secrets", c.Serial, strings.Join(c.Differs(), ", "))
			return audit.Record(ctx, tx, a, e)
		}
		var genieID *string
		if c.GenieACSID != "" {
			genieID = &c.GenieACSID
		}
		if _, err := tx.Exec(ctx, `UPDATE cpe_devices SET serial = $2, oui = $3, product_class = $4, manufacturer = $5,
				genieacs_id = COALESCE($6, genieacs_id), data_model = COALESCE(NULLIF($7, ''), data_model), updated_at = now()
			WHERE id = $1`, deviceID, c.ReportedSerial, c.OUI, c.ProductClass, c.Manufacturer, genieID, c.DataModel); err != nil {
			return db.MapErr(err)
		}
		e.Summary = fmt.Sprintf("accepted a new identity for %s (%s): device swap or RMA", c.Serial, strings.Join(c.Differs(), ", "))
		_, err = s.changed(ctx, tx, a, deviceID, e, "", nil)
		return err
	})
	return c, err
}
