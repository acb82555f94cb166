// Package org manages organizations: the tenants (ISPs) that share one
// installation. Every tenant-owned row elsewhere references one.
package org

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// Org is one tenant.
type Org struct {
	ID   uuid.UUID `json:"id" db:"id"`
	Slug string    `json:"slug" db:"slug"`
	Name string    `json:"name" db:"name"`
	// TimeZone is an IANA name ("" until chosen: times show in UTC).
	TimeZone string `json:"timeZone" db:"time_zone"`
	// Optical power thresholds of its GPON ONTs, dBm (received level).
	OpticalWeakDBm     float64   `json:"opticalWeakDbm" db:"optical_weak_dbm"`
	OpticalCriticalDBm float64   `json:"opticalCriticalDbm" db:"optical_critical_dbm"`
	OpticalOverloadDBm float64   `json:"opticalOverloadDbm" db:"optical_overload_dbm"`
	CreatedAt          time.Time `json:"createdAt" db:"created_at"`
}

// columns are read into an Org by name (its db tags).
const columns = `id, slug, name, time_zone, optical_weak_dbm::float8 AS optical_weak_dbm,
	optical_critical_dbm::float8 AS optical_critical_dbm, optical_overload_dbm::float8 AS optical_overload_dbm, created_at`

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// ErrSlugTaken is returned by Create for a duplicate slug.
var ErrSlugTaken = errors.New("organization slug already exists")

// Create makes an organization. It is an operator command (CLI), so it has
// no staff actor; the audit row is attributed to the system.
func Create(ctx context.Context, b db.Beginner, slug, name string) (Org, error) {
	errs := validation.Errors{}
	if !slugRE.MatchString(slug) {
		errs.Add("slug", "must be 3-40 characters of a-z, 0-9 and -, not starting or ending with -")
	}
	name = validation.Text(errs, "name", name, 1, 200)
	if err := errs.Err(); err != nil {
		return Org{}, err
	}
	var o Org
	err := db.InTx(ctx, b, func(tx pgx.Tx) error {
		var err error
		o, err = db.One[Org](ctx, tx, `INSERT INTO organizations (slug, name) VALUES ($1, $2)
			RETURNING `+columns, slug, name)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return fmt.Errorf("%w: %s", ErrSlugTaken, slug)
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.System(o.ID), audit.Entry{
			Action: "org.create", TargetType: "org", TargetID: o.ID.String(),
			Summary: fmt.Sprintf("created organization %s (%s)", o.Slug, o.Name),
		})
	})
	return o, err
}

// BySlug finds an organization by slug.
func BySlug(ctx context.Context, exec db.Executor, slug string) (Org, error) {
	o, err := db.One[Org](ctx, exec, `SELECT `+columns+` FROM organizations WHERE slug = $1`, slug)
	return o, db.MapErr(err)
}

// ByID finds an organization by id.
func ByID(ctx context.Context, exec db.Executor, id uuid.UUID) (Org, error) {
	o, err := db.One[Org](ctx, exec, `SELECT `+columns+` FROM organizations WHERE id = $1`, id)
	return o, db.MapErr(err)
}

// Operator returns the actor for an operator command (the CLI) acting in
// the organization with the given slug; an unknown slug is a clear error.
func Operator(ctx context.Context, exec db.Executor, slug string) (actor.Actor, error) {
	o, err := BySlug(ctx, exec, slug)
	if errors.Is(err, db.ErrNotFound) {
		return actor.Actor{}, fmt.Errorf("unknown organization %q", slug)
	} else if err != nil {
		return actor.Actor{}, err
	}
	a := actor.System(o.ID)
	a.Label = "cli"
	return a, nil
}
