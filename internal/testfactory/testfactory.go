// Package testfactory creates fixtures for tests through the real services
// (so audit rows and invariants hold), with pointer options in the style of
// River's testfactory.
package testfactory

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/user"
)

// FastHashKiB keeps argon2id cheap in tests.
const FastHashKiB = 1024

// Password is every factory user's password.
const Password = "correct-horse-battery"

var seq atomic.Int64

// OrgOpts customises Org.
type OrgOpts struct {
	Slug *string
	Name *string
}

// Org creates an organization.
func Org(ctx context.Context, t testing.TB, pool *pgxpool.Pool, opts *OrgOpts) org.Org {
	t.Helper()
	if opts == nil {
		opts = &OrgOpts{}
	}
	n := seq.Add(1)
	slug := fmt.Sprintf("org-%d", n)
	if opts.Slug != nil {
		slug = *opts.Slug
	}
	name := fmt.Sprintf("ISP %d", n)
	if opts.Name != nil {
		name = *opts.Name
	}
	o, err := org.Create(ctx, pool, slug, name)
	if err != nil {
		t.Fatalf("testfactory.Org: %v", err)
	}
	return o
}

// UserOpts customises User.
type UserOpts struct {
	Email *string
	Role  *actor.Role
}

// User creates a staff user in o with Password.
func User(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, opts *UserOpts) user.User {
	t.Helper()
	if opts == nil {
		opts = &UserOpts{}
	}
	n := seq.Add(1)
	email := fmt.Sprintf("staff%d@%s.example", n, o.Slug)
	if opts.Email != nil {
		email = *opts.Email
	}
	role := actor.RoleAdmin
	if opts.Role != nil {
		role = *opts.Role
	}
	u, err := user.NewService(pool, FastHashKiB, user.Limits{}).
		CreateForOrg(ctx, o.Slug, user.Input{Email: email, Role: string(role), Password: Password, Name: "Staff " + fmt.Sprint(n)})
	if err != nil {
		t.Fatalf("testfactory.User: %v", err)
	}
	return u
}

// Actor returns the actor a user acts as.
func Actor(u user.User) actor.Actor {
	return actor.Actor{Kind: actor.KindUser, ID: u.ID, Label: u.Email, OrgID: u.OrgID, Role: u.Role, IP: "192.0.2.1"}
}

// APIKey creates a key in o and returns it with its plaintext.
func APIKey(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, role actor.Role) (apikey.Key, string) {
	t.Helper()
	k, plain, err := apikey.NewService(pool).CreateForOrg(ctx, o.Slug, apikey.Input{Name: fmt.Sprintf("key-%d", seq.Add(1)), Role: string(role)})
	if err != nil {
		t.Fatalf("testfactory.APIKey: %v", err)
	}
	return k, plain
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
