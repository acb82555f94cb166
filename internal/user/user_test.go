package user_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/internal/validation"
)

type testBundle struct {
	pool  *pgxpool.Pool
	svc   *user.Service
	org   org.Org
	owner actor.Actor
	admin actor.Actor
}

func setup(t *testing.T, limits user.Limits) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	o := testfactory.Org(ctx, t, pool, nil)
	owner := testfactory.User(ctx, t, pool, o, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleOwner)})
	admin := testfactory.User(ctx, t, pool, o, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleAdmin)})
	return &testBundle{pool: pool, svc: user.NewService(pool, testfactory.FastHashKiB, limits), org: o,
		owner: testfactory.Actor(owner), admin: testfactory.Actor(admin)}
}

func auditCount(t *testing.T, pool *pgxpool.Pool, action string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n))
	return n
}

func TestCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, user.Limits{})

	t.Run("NormalisesAndAudits", func(t *testing.T) {
		u, err := b.svc.Create(ctx, b.admin, user.Input{Email: "  Tech@ISP.Example ", Role: "technician", Password: "long-enough-1"})
		require.NoError(t, err)
		require.Equal(t, "tech@isp.example", u.Email)
		require.Equal(t, b.org.ID, u.OrgID)
		var summary, actorLabel string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary, actor_label FROM audit_log WHERE action = 'user.create' AND target_id = $1`, u.ID.String()).Scan(&summary, &actorLabel))
		require.Equal(t, "created tech@isp.example as technician", summary)
		require.Equal(t, b.admin.Label, actorLabel)
	})
	t.Run("ValidationNamesFields", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, user.Input{Email: "not-an-email", Role: "root", Password: "short"})
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Contains(t, ve, "email")
		require.Contains(t, ve, "role")
		require.Contains(t, ve, "password")
	})
	t.Run("DuplicateEmailIsAFieldError", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, user.Input{Email: "tech@isp.example", Role: "viewer", Password: "long-enough-1"})
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "is already in use", ve["email"])
	})
	t.Run("OnlyOwnersCreateOwners", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, user.Input{Email: "o2@isp.example", Role: "owner", Password: "long-enough-1"})
		require.Error(t, err)
		_, err = b.svc.Create(ctx, b.owner, user.Input{Email: "o2@isp.example", Role: "owner", Password: "long-enough-1"})
		require.NoError(t, err)
	})
	t.Run("TechniciansAndViewersCannot", func(t *testing.T) {
		for _, r := range []actor.Role{actor.RoleTechnician, actor.RoleViewer} {
			a := b.admin
			a.Role = r
			_, err := b.svc.Create(ctx, a, user.Input{Email: "x-" + string(r) + "@isp.example", Role: "viewer", Password: "long-enough-1"})
			require.ErrorIs(t, err, actor.ErrForbidden)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, user.Limits{})
	tech := testfactory.User(ctx, t, b.pool, b.org, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleTechnician)})

	t.Run("RoleChange", func(t *testing.T) {
		u, err := b.svc.Update(ctx, b.admin, tech.ID, user.Change{Role: testfactory.Ptr("viewer")})
		require.NoError(t, err)
		require.Equal(t, actor.RoleViewer, u.Role)
	})
	t.Run("NotYourself", func(t *testing.T) {
		_, err := b.svc.Update(ctx, b.admin, b.admin.ID, user.Change{Role: testfactory.Ptr("owner")})
		require.Error(t, err)
		_, err = b.svc.Update(ctx, b.owner, b.owner.ID, user.Change{Disabled: testfactory.Ptr(true)})
		var ve validation.Errors
		require.ErrorAs(t, err, &ve, "the last owner cannot lock the organization out")
	})
	t.Run("AdminsCannotTouchOwners", func(t *testing.T) {
		_, err := b.svc.Update(ctx, b.admin, b.owner.ID, user.Change{Disabled: testfactory.Ptr(true)})
		require.ErrorIs(t, err, actor.ErrForbidden)
		_, err = b.svc.Update(ctx, b.admin, tech.ID, user.Change{Role: testfactory.Ptr("owner")})
		require.ErrorIs(t, err, actor.ErrForbidden)
	})
	t.Run("DisableRevokesSessions", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, org_id, expires_at) VALUES ('\x01', $1, $2, now() + interval '1 hour')`, tech.ID, b.org.ID)
		require.NoError(t, err)
		u, err := b.svc.Update(ctx, b.admin, tech.ID, user.Change{Disabled: testfactory.Ptr(true)})
		require.NoError(t, err)
		require.True(t, u.Disabled)
		var n int
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, tech.ID).Scan(&n))
		require.Zero(t, n)
		_, err = b.svc.Authenticate(ctx, tech.Email, testfactory.Password, "192.0.2.9")
		require.ErrorIs(t, err, user.ErrBadCredentials, "a disabled user cannot sign in")
	})
	t.Run("OtherOrganizationIsNotFound", func(t *testing.T) {
		other := testfactory.Org(ctx, t, b.pool, nil)
		ou := testfactory.User(ctx, t, b.pool, other, nil)
		_, err := b.svc.Update(ctx, b.admin, ou.ID, user.Change{Disabled: testfactory.Ptr(true)})
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.Get(ctx, b.admin, ou.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		list, err := b.svc.List(ctx, b.admin)
		require.NoError(t, err)
		for _, u := range list {
			require.Equal(t, b.org.ID, u.OrgID)
		}
	})
}

func TestAuthenticateThrottles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, user.Limits{PerEmail: 3, PerIP: 5, Window: time.Minute, Lockout: time.Minute})
	email := b.admin.Label

	for i := range 3 {
		_, err := b.svc.Authenticate(ctx, email, "wrong-password", "192.0.2.10")
		require.ErrorIs(t, err, user.ErrBadCredentials, "failure %d", i+1)
	}
	_, err := b.svc.Authenticate(ctx, email, testfactory.Password, "192.0.2.11")
	var te *user.ThrottledError
	require.ErrorAs(t, err, &te, "locked even with the right password, from another IP")
	require.Greater(t, te.RetryAfter, 50*time.Second)

	t.Run("PerIP", func(t *testing.T) {
		for i := range 5 {
			_, err := b.svc.Authenticate(ctx, "nobody"+string(rune('a'+i))+"@x.example", "x", "198.51.100.7")
			require.ErrorIs(t, err, user.ErrBadCredentials)
		}
		_, err := b.svc.Authenticate(ctx, b.owner.Label, testfactory.Password, "198.51.100.7")
		require.ErrorAs(t, err, &te, "the IP is locked for every account")
		p, err := b.svc.Authenticate(ctx, b.owner.Label, testfactory.Password, "198.51.100.8")
		require.NoError(t, err)
		require.Equal(t, b.owner.ID, p.ID)
	})
	t.Run("WindowExpiry", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `UPDATE login_failures SET locked_until = now() - interval '1 second', window_start = now() - interval '2 minutes'`)
		require.NoError(t, err)
		_, err = b.svc.Authenticate(ctx, email, testfactory.Password, "192.0.2.10")
		require.NoError(t, err)
		n, err := user.DeleteStaleFailures(ctx, b.pool, time.Minute)
		require.NoError(t, err)
		require.Positive(t, n)
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, user.Limits{})
	for _, tok := range []string{"\\x0a", "\\x0b"} {
		_, err := b.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, org_id, expires_at) VALUES ($1::text::bytea, $2, $3, now() + interval '1 hour')`, tok, b.admin.ID, b.org.ID)
		require.NoError(t, err)
	}
	err := b.svc.ChangePassword(ctx, b.admin, "wrong-current", "brand-new-password", "")
	var ve validation.Errors
	require.ErrorAs(t, err, &ve)
	require.Contains(t, ve, "current_password")

	require.NoError(t, b.svc.ChangePassword(ctx, b.admin, testfactory.Password, "brand-new-password", ""))
	var n int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, b.admin.ID).Scan(&n))
	require.Zero(t, n, "every session is revoked")
	_, err = b.svc.Authenticate(ctx, b.admin.Label, testfactory.Password, "192.0.2.1")
	require.ErrorIs(t, err, user.ErrBadCredentials)
	_, err = b.svc.Authenticate(ctx, b.admin.Label, "brand-new-password", "192.0.2.1")
	require.NoError(t, err)
	require.Equal(t, 1, auditCount(t, b.pool, "user.password_change"))
}
