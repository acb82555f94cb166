package org

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // IANA zones in the binary, whatever the host has

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// Location is the time zone an organization's times are shown in: its
// own, or UTC while it has none (or one this build does not know).
func Location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// checkZone says what is wrong with an IANA zone name, or "".
func checkZone(tz string) string {
	switch {
	case tz == "":
		return "is required"
	case tz == "Local" || len(tz) > 64:
		return "must be an IANA time zone such as Africa/Nairobi"
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "must be an IANA time zone such as Africa/Nairobi"
	}
	return ""
}

// Service is an organization's own settings, for its staff.
type Service struct{ pool *pgxpool.Pool }

// NewService builds the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Get is the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor) (Org, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Org{}, err
	}
	return ByID(ctx, s.pool, a.OrgID)
}

// SetTimeZone sets the organization's time zone (owners and admins).
func (s *Service) SetTimeZone(ctx context.Context, a actor.Actor, tz string) (Org, error) {
	return setTimeZone(ctx, s.pool, a, tz)
}

// AdoptTimeZone is AdoptTimeZone on the service's pool.
func (s *Service) AdoptTimeZone(ctx context.Context, orgID uuid.UUID, tz string) error {
	return AdoptTimeZone(ctx, s.pool, orgID, tz)
}

func setTimeZone(ctx context.Context, b db.Beginner, a actor.Actor, tz string) (Org, error) {
	if err := a.Require(actor.PermManageUsers); err != nil {
		return Org{}, err
	}
	if msg := checkZone(tz); msg != "" {
		return Org{}, validation.Errors{"timeZone": msg}
	}
	var o Org
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		var err error
		o, err = db.One[Org](ctx, tx, `UPDATE organizations SET time_zone = $2 WHERE id = $1 RETURNING `+columns, a.OrgID, tz)
		if err = db.MapErr(err); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "org.time_zone", TargetType: "org", TargetID: o.ID.String(),
			Summary: "set the organization's time zone to " + tz})
	})
	return o, err
}

// AdoptTimeZone gives an organization without a time zone the one a
// signing-in browser reports; it does nothing once one is set, or for a
// name that is not a zone.
func AdoptTimeZone(ctx context.Context, b db.Beginner, orgID uuid.UUID, tz string) error {
	if checkZone(tz) != "" {
		return nil
	}
	return db.InTx(ctx, b, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE organizations SET time_zone = $2 WHERE id = $1 AND time_zone = ''`, orgID, tz)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit.Record(ctx, tx, actor.System(orgID), audit.Entry{Action: "org.time_zone", TargetType: "org", TargetID: orgID.String(),
			Summary: fmt.Sprintf("took the time zone %s from the first sign-in's browser", tz)})
	})
}

// Optical are an organization's optical power thresholds (dBm).
type Optical struct {
	WeakDBm     float64 `json:"opticalWeakDbm"`
	CriticalDBm float64 `json:"opticalCriticalDbm"`
	OverloadDBm float64 `json:"opticalOverloadDbm"`
}

// SetOptical sets the organization's optical thresholds (owners and
// admins): critical < weak < overload, each between −60 and +10 dBm.
func (s *Service) SetOptical(ctx context.Context, a actor.Actor, in Optical) (Org, error) {
	if err := a.Require(actor.PermManageUsers); err != nil {
		return Org{}, err
	}
	errs := validation.Errors{}
	for field, v := range map[string]float64{"opticalWeakDbm": in.WeakDBm, "opticalCriticalDbm": in.CriticalDBm, "opticalOverloadDbm": in.OverloadDBm} {
		if v < -60 || v > 10 {
			errs.Add(field, "must be between -60 and 10 dBm")
		}
	}
	if len(errs) == 0 {
		switch {
		case in.CriticalDBm >= in.WeakDBm:
			errs.Add("opticalCriticalDbm", "must be below the weak threshold")
		case in.WeakDBm >= in.OverloadDBm:
			errs.Add("opticalOverloadDbm", "must be above the weak threshold")
		}
	}
	if err := errs.Err(); err != nil {
		return Org{}, err
	}
	var o Org
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		o, err = db.One[Org](ctx, tx, `UPDATE organizations SET optical_weak_dbm = $2, optical_critical_dbm = $3, optical_overload_dbm = $4
			WHERE id = $1 RETURNING `+columns, a.OrgID, in.WeakDBm, in.CriticalDBm, in.OverloadDBm)
		if err = db.MapErr(err); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "org.optical", TargetType: "org", TargetID: o.ID.String(),
			Summary: fmt.Sprintf("optical thresholds: weak below %.2f dBm, critical below %.2f dBm, overload above %.2f dBm", in.WeakDBm, in.CriticalDBm, in.OverloadDBm)})
	})
	return o, err
}
