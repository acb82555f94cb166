package middleware

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Operator tells whether an organization is the installation's operator
// (OPERATOR_ORG, by slug). Staff carry their organization's slug; for API
// keys the operator's id is looked up once it exists and then kept (slugs
// do not change).
type Operator struct {
	Slug string // "" : no organization is
	Pool *pgxpool.Pool
	id   atomic.Pointer[uuid.UUID]
}

// isSlug reports whether slug is the operator's.
func (o *Operator) isSlug(slug string) bool { return o != nil && o.Slug != "" && slug == o.Slug }

// isOrg reports whether the organization orgID is the operator.
func (o *Operator) isOrg(ctx context.Context, orgID uuid.UUID) (bool, error) {
	if o == nil || o.Slug == "" {
		return false, nil
	}
	if id := o.id.Load(); id != nil {
		return *id == orgID, nil
	}
	var id uuid.UUID
	err := o.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = $1`, o.Slug).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil // not created yet
	case err != nil:
		return false, fmt.Errorf("look up the operator organization: %w", err)
	}
	o.id.Store(&id)
	return id == orgID, nil
}
