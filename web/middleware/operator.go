package middleware

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/org"
)

// Operator tells whether an organization is the installation's operator
// (OPERATOR_ORG, by slug). Staff carry their organization's slug; for API
// keys the operator's id is looked up once it exists and then kept (slugs
// do not change).
type Operator struct {
	Slug string // "" : no organization is
	// BySlug finds an organization by slug (org.BySlug on the pool); it
	// answers db.ErrNotFound while the operator's is not created yet.
	BySlug func(ctx context.Context, slug string) (org.Org, error)
	id     atomic.Pointer[uuid.UUID]
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
	op, err := o.BySlug(ctx, o.Slug)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return false, nil // not created yet
	case err != nil:
		return false, fmt.Errorf("look up the operator organization: %w", err)
	}
	o.id.Store(&op.ID)
	return op.ID == orgID, nil
}
