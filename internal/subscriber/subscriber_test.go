package subscriber_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

type testBundle struct {
	pool                       *pgxpool.Pool
	box                        *secret.Box
	svc                        *subscriber.Service
	orgA, orgB                 org.Org
	owner, admin, tech, viewer actor.Actor
	adminB                     actor.Actor
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{9}, 32)}})
	require.NoError(t, err)
	b := &testBundle{pool: pool, box: box, svc: subscriber.NewService(pool, box)}
	b.orgA = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme")})
	b.orgB = testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("beta")})
	as := func(o org.Org, r actor.Role) actor.Actor {
		return testfactory.Actor(testfactory.User(ctx, t, pool, o, &testfactory.UserOpts{Role: &r}))
	}
	b.owner, b.admin = as(b.orgA, actor.RoleOwner), as(b.orgA, actor.RoleAdmin)
	b.tech, b.viewer = as(b.orgA, actor.RoleTechnician), as(b.orgA, actor.RoleViewer)
	b.adminB = as(b.orgB, actor.RoleAdmin)
	return b
}

func (b *testBundle) plan(t *testing.T, a actor.Actor, name, group string) subscriber.Plan {
	t.Helper()
	p, err := b.svc.CreatePlan(context.Background(), a, subscriber.PlanInput{Name: name, Group: group})
	require.NoError(t, err)
	return p
}

func (b *testBundle) subscriber(t *testing.T, a actor.Actor, in subscriber.Input) subscriber.Subscriber {
	t.Helper()
	u, err := b.svc.Create(context.Background(), a, in)
	require.NoError(t, err)
	return u
}

func fieldErrors(t *testing.T, err error) validation.Errors {
	t.Helper()
	var ve validation.Errors
	require.ErrorAs(t, err, &ve)
	return ve
}

func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

// sealedPassword reads a subscriber's stored subscription.
func sealedPassword(t *testing.T, pool *pgxpool.Pool, subscriberID uuid.UUID) (subID uuid.UUID, enc []byte, keyID string) {
	t.Helper()
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT id, pppoe_password_enc, pppoe_key_id FROM subscriptions WHERE subscriber_id = $1`, subscriberID).Scan(&subID, &enc, &keyID))
	return subID, enc, keyID
}

func TestPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	home := b.plan(t, b.admin, " Home 10 ", "home-10")
	require.Equal(t, "Home 10", home.Name)
	require.Equal(t, "home-10", home.Group)

	t.Run("CreateIsAudited", func(t *testing.T) {
		var summary, label string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary, actor_label FROM audit_log WHERE action = 'plan.create' AND target_id = $1 AND org_id = $2`,
			home.ID.String(), b.orgA.ID).Scan(&summary, &label))
		require.Equal(t, `created plan "Home 10" (group home-10)`, summary)
		require.Equal(t, b.admin.Label, label)
	})
	t.Run("ValidationNamesFields", func(t *testing.T) {
		_, err := b.svc.CreatePlan(ctx, b.admin, subscriber.PlanInput{Name: "", Group: "home.10"})
		ve := fieldErrors(t, err)
		require.Contains(t, ve, "name")
		require.Contains(t, ve, "genieacsGroup")
	})
	t.Run("NameUniquePerOrganization", func(t *testing.T) {
		_, err := b.svc.CreatePlan(ctx, b.owner, subscriber.PlanInput{Name: "Home 10", Group: "other"})
		require.Equal(t, "is already in use", fieldErrors(t, err)["name"])
		other, err := b.svc.CreatePlan(ctx, b.adminB, subscriber.PlanInput{Name: "Home 10", Group: "home-10"})
		require.NoError(t, err, "another organization may use the same name")
		require.NotEqual(t, home.ID, other.ID)
	})
	t.Run("Update", func(t *testing.T) {
		biz := b.plan(t, b.admin, "Business", "biz")
		p, err := b.svc.UpdatePlan(ctx, b.admin, biz.ID, subscriber.PlanInput{Name: "Business 100", Group: "biz-100"})
		require.NoError(t, err)
		require.Equal(t, "Business 100", p.Name)
		require.Equal(t, "biz-100", p.Group)
		got, err := b.svc.GetPlan(ctx, b.viewer, biz.ID)
		require.NoError(t, err)
		require.Equal(t, p, got)
		var summary string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary FROM audit_log WHERE action = 'plan.update' AND target_id = $1`, biz.ID.String()).Scan(&summary))
		require.Equal(t, `plan "Business 100": name "Business" → "Business 100", group biz → biz-100`, summary)

		_, err = b.svc.UpdatePlan(ctx, b.admin, biz.ID, subscriber.PlanInput{Name: "Business 100", Group: "biz-100"})
		require.NoError(t, err)
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'plan.update'`), "no change, no audit row")

		_, err = b.svc.UpdatePlan(ctx, b.admin, biz.ID, subscriber.PlanInput{Name: "Home 10", Group: "biz"})
		require.Equal(t, "is already in use", fieldErrors(t, err)["name"])
	})
	t.Run("ListIsScopedAndSorted", func(t *testing.T) {
		ps, err := b.svc.ListPlans(ctx, b.viewer)
		require.NoError(t, err)
		require.Len(t, ps, 2)
		require.Equal(t, "Business 100", ps[0].Name)
		require.Equal(t, "Home 10", ps[1].Name)
		ps, err = b.svc.ListPlans(ctx, b.adminB)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		require.NotEqual(t, home.ID, ps[0].ID)
	})
	t.Run("OtherOrganizationIsNotFound", func(t *testing.T) {
		_, err := b.svc.GetPlan(ctx, b.adminB, home.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.UpdatePlan(ctx, b.adminB, home.ID, subscriber.PlanInput{Name: "Stolen", Group: "x"})
		require.ErrorIs(t, err, db.ErrNotFound)
		p, err := b.svc.GetPlan(ctx, b.admin, home.ID)
		require.NoError(t, err)
		require.Equal(t, "Home 10", p.Name)
	})
	t.Run("OnlyOwnersAndAdminsWrite", func(t *testing.T) {
		for _, a := range []actor.Actor{b.tech, b.viewer, {}} {
			_, err := b.svc.CreatePlan(ctx, a, subscriber.PlanInput{Name: "X", Group: "x"})
			require.ErrorIs(t, err, actor.ErrForbidden, a.Role)
			_, err = b.svc.UpdatePlan(ctx, a, home.ID, subscriber.PlanInput{Name: "X", Group: "x"})
			require.ErrorIs(t, err, actor.ErrForbidden, a.Role)
		}
		_, err := b.svc.ListPlans(ctx, actor.Actor{})
		require.ErrorIs(t, err, actor.ErrForbidden)
		_, err = b.svc.ListPlans(ctx, b.tech)
		require.NoError(t, err)
	})
}

func TestCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	home := b.plan(t, b.admin, "Home 10", "home-10")

	t.Run("NormalisesSealsAndAudits", func(t *testing.T) {
		u := b.subscriber(t, b.admin, subscriber.Input{Username: " alice.w ", Name: " Alice W ", Phone: "+254 700-1",
			PlanID: &home.ID, PPPoEUsername: "alice@isp", PPPoEPassword: "s3cret-ppp"})
		require.Equal(t, "alice.w", u.Username)
		require.Equal(t, "Alice W", u.Name)
		require.Equal(t, "+254 700-1", u.Phone)
		require.Equal(t, subscriber.StatusActive, u.Status)
		require.Equal(t, &home.ID, u.PlanID)
		require.Equal(t, "Home 10", u.PlanName)
		require.Equal(t, "home-10", u.PlanGroup)
		require.Equal(t, "alice@isp", u.PPPoEUsername)
		require.True(t, u.HasPPPoEPassword)

		subID, enc, kid := sealedPassword(t, b.pool, u.ID)
		require.Equal(t, "k1", kid)
		require.NotContains(t, string(enc), "s3cret-ppp", "sealed at rest")
		pw, err := b.box.Open(enc, kid, subID[:])
		require.NoError(t, err, "bound to the subscription id")
		require.Equal(t, "s3cret-ppp", string(pw))
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND org_id = $2`, u.ID, b.orgA.ID))

		var summary string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary FROM audit_log WHERE action = 'subscriber.create' AND target_id = $1`, u.ID.String()).Scan(&summary))
		require.Equal(t, "created subscriber alice.w (plan Home 10, PPPoE username alice@isp, PPPoE password set)", summary)

		got, err := b.svc.GetByUsername(ctx, b.viewer, "alice.w")
		require.NoError(t, err)
		require.Equal(t, u, got)
	})
	t.Run("WithoutPlanOrCredentials", func(t *testing.T) {
		u := b.subscriber(t, b.owner, subscriber.Input{Username: "bare"})
		require.Nil(t, u.PlanID)
		require.Empty(t, u.PlanName)
		require.False(t, u.HasPPPoEPassword)
		_, enc, kid := sealedPassword(t, b.pool, u.ID)
		require.Nil(t, enc)
		require.Empty(t, kid)
	})
	t.Run("ValidationNamesFields", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, subscriber.Input{Username: "has space", Phone: "abc", PPPoEPassword: "x"})
		ve := fieldErrors(t, err)
		require.Contains(t, ve, "username")
		require.Contains(t, ve, "phone")
		require.Contains(t, ve, "pppoeUsername")
	})
	t.Run("UsernameUniquePerOrganization", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, subscriber.Input{Username: "alice.w"})
		require.Equal(t, "is already in use", fieldErrors(t, err)["username"])
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username = 'alice.w'`), "nothing half-written")
		_, err = b.svc.Create(ctx, b.adminB, subscriber.Input{Username: "alice.w"})
		require.NoError(t, err, "another organization may use the same username")
	})
	t.Run("UsernameAndPPPoEUsernameIgnoreCase", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.admin, subscriber.Input{Username: "ALICE.W"})
		require.Equal(t, "is already in use", fieldErrors(t, err)["username"], "Alice.W and alice.w are one customer")
		_, err = b.svc.Create(ctx, b.admin, subscriber.Input{Username: "bob.k", PPPoEUsername: "Alice@ISP", PPPoEPassword: "other-pass"})
		require.Equal(t, "is already another subscriber's PPPoE username", fieldErrors(t, err)["pppoeUsername"])
		require.Zero(t, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username = 'bob.k'`), "nothing half-written")
		bob, err := b.svc.Create(ctx, b.admin, subscriber.Input{Username: "bob.k", PPPoEUsername: "bob@isp", PPPoEPassword: "other-pass"})
		require.NoError(t, err)
		_, err = b.svc.Update(ctx, b.admin, bob.ID, subscriber.Input{Username: "bob.k", PPPoEUsername: "alice@isp"})
		require.Equal(t, "is already another subscriber's PPPoE username", fieldErrors(t, err)["pppoeUsername"])
		got, err := b.svc.Get(ctx, b.admin, bob.ID)
		require.NoError(t, err)
		require.Equal(t, "bob@isp", got.PPPoEUsername, "the refused change left nothing")
		_, err = b.svc.Create(ctx, b.adminB, subscriber.Input{Username: "carol", PPPoEUsername: "alice@isp", PPPoEPassword: "x-pass-123"})
		require.NoError(t, err, "another organization's BRAS is its own")
	})
	t.Run("NoTwoSubscribersShareADeviceTag", func(t *testing.T) {
		// alice.w's devices carry sub:alice_w; alice_w's would too.
		_, err := b.svc.Create(ctx, b.admin, subscriber.Input{Username: "alice_w"})
		require.Equal(t, "would share the device tag sub:alice_w with alice.w; choose another", fieldErrors(t, err)["username"])
		_, err = b.svc.Create(ctx, b.admin, subscriber.Input{Username: "alice@w"})
		require.Contains(t, fieldErrors(t, err)["username"], "sub:alice_w")
		require.Zero(t, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username IN ('alice_w', 'alice@w')`), "nothing written")
		_, err = b.svc.Create(ctx, b.adminB, subscriber.Input{Username: "alice_w"})
		require.Contains(t, fieldErrors(t, err)["username"], "with alice.w", "B has its own alice.w")
		b.subscriber(t, b.admin, subscriber.Input{Username: "dave.w"})
		_, err = b.svc.Create(ctx, b.adminB, subscriber.Input{Username: "dave_w"})
		require.NoError(t, err, "another organization's tags are its own (org:<slug> tells them apart)")
	})
	t.Run("ConcurrentTagTwinsOneWins", func(t *testing.T) {
		for i := range 5 {
			names := []string{fmt.Sprintf("twin%d.x", i), fmt.Sprintf("twin%d_x", i)}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for j, name := range names {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[j] = b.svc.Create(ctx, b.admin, subscriber.Input{Username: name})
				}()
			}
			close(start)
			wg.Wait()
			require.True(t, (errs[0] == nil) != (errs[1] == nil), "exactly one of %v: %v", names, errs)
			require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username = ANY($1)`, names))
		}
	})
	t.Run("PlanOfAnotherOrganizationIsUnknown", func(t *testing.T) {
		_, err := b.svc.Create(ctx, b.adminB, subscriber.Input{Username: "mallory", PlanID: &home.ID})
		require.Equal(t, "unknown plan", fieldErrors(t, err)["planId"])
		missing := uuid.New()
		_, err = b.svc.Create(ctx, b.admin, subscriber.Input{Username: "mallory", PlanID: &missing})
		require.Equal(t, "unknown plan", fieldErrors(t, err)["planId"])
		require.Zero(t, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username = 'mallory'`))
	})
	t.Run("OnlyOwnersAndAdmins", func(t *testing.T) {
		for _, a := range []actor.Actor{b.tech, b.viewer} {
			_, err := b.svc.Create(ctx, a, subscriber.Input{Username: "nope-" + string(a.Role)})
			require.ErrorIs(t, err, actor.ErrForbidden)
		}
		require.Zero(t, count(t, b.pool, `SELECT count(*) FROM subscribers WHERE username LIKE 'nope-%'`))
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	home := b.plan(t, b.admin, "Home 10", "home-10")
	biz := b.plan(t, b.admin, "Business", "biz")
	u := b.subscriber(t, b.admin, subscriber.Input{Username: "alice", Name: "Alice", PlanID: &home.ID, PPPoEUsername: "alice", PPPoEPassword: "first-pass"})
	subID, firstEnc, _ := sealedPassword(t, b.pool, u.ID)
	creds := func() subscriber.Credentials {
		c, err := b.svc.Credentials(ctx, b.pool, b.orgA.ID, u.ID)
		require.NoError(t, err)
		return c
	}

	t.Run("EmptyPasswordKeepsTheStoredOne", func(t *testing.T) {
		got, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice", Name: "Alice Wanjiru", Phone: "0700", PlanID: &biz.ID, PPPoEUsername: "alice"})
		require.NoError(t, err)
		require.Equal(t, "Alice Wanjiru", got.Name)
		require.Equal(t, "Business", got.PlanName)
		require.True(t, got.HasPPPoEPassword)
		sid, enc, _ := sealedPassword(t, b.pool, u.ID)
		require.Equal(t, subID, sid, "the subscription row is kept")
		require.Equal(t, firstEnc, enc, "the ciphertext is untouched")
		require.Equal(t, "first-pass", creds().PPPoEPassword)
		var summary string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary FROM audit_log WHERE action = 'subscriber.update' ORDER BY id DESC LIMIT 1`).Scan(&summary))
		require.Equal(t, "alice: name changed, phone changed, plan Home 10 → Business", summary)
	})
	t.Run("NewPasswordReplaces", func(t *testing.T) {
		_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice", Name: "Alice Wanjiru", Phone: "0700", PlanID: &biz.ID, PPPoEUsername: "alice", PPPoEPassword: "second-pass"})
		require.NoError(t, err)
		require.Equal(t, "second-pass", creds().PPPoEPassword)
		var summary string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary FROM audit_log WHERE action = 'subscriber.update' ORDER BY id DESC LIMIT 1`).Scan(&summary))
		require.Equal(t, "alice: PPPoE password changed", summary)
	})
	t.Run("KeptPasswordStillNeedsAUsername", func(t *testing.T) {
		_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice", PPPoEUsername: ""})
		require.Contains(t, fieldErrors(t, err)["pppoeUsername"], "required")
	})
	t.Run("ClearRemovesIt", func(t *testing.T) {
		got, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice", Name: "Alice Wanjiru", Phone: "0700", PlanID: nil, ClearPPPoEPassword: true})
		require.NoError(t, err)
		require.False(t, got.HasPPPoEPassword)
		require.Nil(t, got.PlanID)
		_, enc, kid := sealedPassword(t, b.pool, u.ID)
		require.Nil(t, enc)
		require.Empty(t, kid)
		c := creds()
		require.Empty(t, c.PPPoEPassword)
		require.Empty(t, c.PlanGroup)
	})
	t.Run("NoChangeWritesNothing", func(t *testing.T) {
		before := count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'subscriber.update'`)
		_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice", Name: "Alice Wanjiru", Phone: "0700"})
		require.NoError(t, err)
		require.Equal(t, before, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'subscriber.update'`))
	})
	t.Run("RenameToATakenUsername", func(t *testing.T) {
		b.subscriber(t, b.admin, subscriber.Input{Username: "bob"})
		_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "bob"})
		require.Equal(t, "is already in use", fieldErrors(t, err)["username"])
		got, err := b.svc.Get(ctx, b.viewer, u.ID)
		require.NoError(t, err)
		require.Equal(t, "alice", got.Username)
	})
	t.Run("RenameOntoAnotherSubscribersTag", func(t *testing.T) {
		b.subscriber(t, b.admin, subscriber.Input{Username: "carol.k"})
		_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "carol-k"})
		require.NoError(t, err, "'-' is kept in tags: sub:carol-k is not sub:carol_k")
		_, err = b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "carol_k"})
		require.Equal(t, "would share the device tag sub:carol_k with carol.k; choose another", fieldErrors(t, err)["username"])
		got, err := b.svc.Get(ctx, b.viewer, u.ID)
		require.NoError(t, err)
		require.Equal(t, "carol-k", got.Username)
		_, err = b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "alice"})
		require.NoError(t, err)
	})
	t.Run("OtherOrganizationIsNotFound", func(t *testing.T) {
		_, err := b.svc.Get(ctx, b.adminB, u.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.GetByUsername(ctx, b.adminB, "alice")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.Update(ctx, b.adminB, u.ID, subscriber.Input{Username: "stolen"})
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.SetStatus(ctx, b.adminB, u.ID, subscriber.StatusSuspended)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.Credentials(ctx, b.pool, b.orgB.ID, u.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.Update(ctx, b.admin, uuid.New(), subscriber.Input{Username: "ghost"})
		require.ErrorIs(t, err, db.ErrNotFound)
	})
	t.Run("OnlyOwnersAndAdmins", func(t *testing.T) {
		for _, a := range []actor.Actor{b.tech, b.viewer} {
			_, err := b.svc.Update(ctx, a, u.ID, subscriber.Input{Username: "x"})
			require.ErrorIs(t, err, actor.ErrForbidden)
			_, err = b.svc.SetStatus(ctx, a, u.ID, subscriber.StatusSuspended)
			require.ErrorIs(t, err, actor.ErrForbidden)
			_, err = b.svc.Get(ctx, a, u.ID)
			require.NoError(t, err, "%s reads", a.Role)
		}
	})
}

func TestSetStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	u := b.subscriber(t, b.admin, subscriber.Input{Username: "carol"})

	got, err := b.svc.SetStatus(ctx, b.admin, u.ID, subscriber.StatusSuspended)
	require.NoError(t, err)
	require.Equal(t, subscriber.StatusSuspended, got.Status)
	_, err = b.svc.SetStatus(ctx, b.admin, u.ID, subscriber.StatusSuspended)
	require.NoError(t, err, "suspending twice is harmless")
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'subscriber.suspend' AND target_id = $1`, u.ID.String()))

	got, err = b.svc.SetStatus(ctx, b.owner, u.ID, subscriber.StatusActive)
	require.NoError(t, err)
	require.Equal(t, subscriber.StatusActive, got.Status)
	var summary string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary FROM audit_log WHERE action = 'subscriber.activate' AND target_id = $1`, u.ID.String()).Scan(&summary))
	require.Equal(t, "activated subscriber carol", summary)

	_, err = b.svc.SetStatus(ctx, b.admin, u.ID, "deleted")
	require.Contains(t, fieldErrors(t, err), "status")
}

func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	home := b.plan(t, b.admin, "Home 10", "home-10")
	// 120 subscribers u000..u119; every third suspended; every tenth on a
	// plan; names "Customer N".
	for i := range 120 {
		in := subscriber.Input{Username: fmt.Sprintf("u%03d", i), Name: fmt.Sprintf("Customer %d", i), Phone: fmt.Sprintf("0700 %06d", i)}
		if i%10 == 0 {
			in.PlanID = &home.ID
		}
		u := b.subscriber(t, b.admin, in)
		if i%3 == 0 {
			_, err := b.svc.SetStatus(ctx, b.admin, u.ID, subscriber.StatusSuspended)
			require.NoError(t, err)
		}
	}
	b.subscriber(t, b.admin, subscriber.Input{Username: "w_1", Name: "100% Fibre Ltd"})
	b.subscriber(t, b.admin, subscriber.Input{Username: "zz-alpha"})
	b.subscriber(t, b.adminB, subscriber.Input{Username: "u000b", Name: "Customer elsewhere"})

	// all pages through f, checking order and that no row repeats.
	all := func(t *testing.T, f subscriber.Filter) ([]string, []int) {
		t.Helper()
		var names []string
		var sizes []int
		for {
			p, err := b.svc.List(ctx, b.viewer, f)
			require.NoError(t, err)
			sizes = append(sizes, len(p.Items))
			for _, it := range p.Items {
				if len(names) > 0 {
					require.Less(t, names[len(names)-1], it.Username, "ordered by username, no repeats")
				}
				names = append(names, it.Username)
			}
			if p.Next == "" {
				return names, sizes
			}
			require.Equal(t, p.Items[len(p.Items)-1].Username, p.Next)
			f.After = p.Next
		}
	}

	t.Run("KeysetPagesCoverEveryoneOnce", func(t *testing.T) {
		names, sizes := all(t, subscriber.Filter{})
		require.Equal(t, []int{50, 50, 22}, sizes)
		require.Len(t, names, 122)
		require.Equal(t, "u000", names[0])
		require.Equal(t, "w_1", names[120])
		require.Equal(t, "zz-alpha", names[121])
		require.NotContains(t, names, "u000b", "another organization's subscriber")
	})
	t.Run("StatusFilter", func(t *testing.T) {
		names, sizes := all(t, subscriber.Filter{Status: subscriber.StatusSuspended, Limit: 15})
		require.Equal(t, []int{15, 15, 10}, sizes)
		require.Len(t, names, 40)
		for _, n := range names {
			var i int
			_, err := fmt.Sscanf(n, "u%03d", &i)
			require.NoError(t, err)
			require.Zero(t, i%3, n)
		}
		active, _ := all(t, subscriber.Filter{Status: subscriber.StatusActive, Limit: 200})
		require.Len(t, active, 82)
	})
	t.Run("QMatchesUsernamePrefix", func(t *testing.T) {
		names, _ := all(t, subscriber.Filter{Q: "u01", Limit: 4})
		require.Equal(t, []string{"u010", "u011", "u012", "u013", "u014", "u015", "u016", "u017", "u018", "u019"}, names)
		names, _ = all(t, subscriber.Filter{Q: "zz-al"})
		require.Equal(t, []string{"zz-alpha"}, names)
		names, _ = all(t, subscriber.Filter{Q: "alpha"})
		require.Empty(t, names, "a username matches by prefix only")
	})
	t.Run("QMatchesNameAndPhoneAnywhereIgnoringCase", func(t *testing.T) {
		names, _ := all(t, subscriber.Filter{Q: "CUSTOMER 11"})
		require.Equal(t, []string{"u011", "u110", "u111", "u112", "u113", "u114", "u115", "u116", "u117", "u118", "u119"}, names)
		names, _ = all(t, subscriber.Filter{Q: "000042"})
		require.Equal(t, []string{"u042"}, names)
	})
	t.Run("QCombinesWithStatus", func(t *testing.T) {
		names, _ := all(t, subscriber.Filter{Q: "u01", Status: subscriber.StatusSuspended})
		require.Equal(t, []string{"u012", "u015", "u018"}, names)
	})
	t.Run("LikeWildcardsAreLiteral", func(t *testing.T) {
		names, _ := all(t, subscriber.Filter{Q: "%"})
		require.Equal(t, []string{"w_1"}, names)
		names, _ = all(t, subscriber.Filter{Q: "u_"})
		require.Empty(t, names)
		names, _ = all(t, subscriber.Filter{Q: "w_"})
		require.Equal(t, []string{"w_1"}, names)
	})
	t.Run("JoinsThePlan", func(t *testing.T) {
		p, err := b.svc.List(ctx, b.viewer, subscriber.Filter{Q: "u020", Limit: 1})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		require.Equal(t, "Home 10", p.Items[0].PlanName)
		require.Empty(t, p.Next, "exactly one match is the last page")
	})
	t.Run("BadFilter", func(t *testing.T) {
		_, err := b.svc.List(ctx, b.viewer, subscriber.Filter{Status: "gone", Limit: 201})
		ve := fieldErrors(t, err)
		require.Contains(t, ve, "status")
		require.Contains(t, ve, "limit")
		_, err = b.svc.List(ctx, actor.Actor{}, subscriber.Filter{})
		require.ErrorIs(t, err, actor.ErrForbidden)
	})
}

// TestCredentialsOpenWhatIdentifyOpens: a password written by the service
// is what Credentials returns and what GenieACS gets from identify.
func TestCredentialsOpenWhatIdentifyOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	home := b.plan(t, b.admin, "Home 10", "home-10")
	u := b.subscriber(t, b.admin, subscriber.Input{Username: "dan.k", PlanID: &home.ID, PPPoEUsername: "dan@isp", PPPoEPassword: "dan-pass 1"})

	c, err := b.svc.Credentials(ctx, b.pool, b.orgA.ID, u.ID)
	require.NoError(t, err)
	require.Equal(t, subscriber.Credentials{SubscriberID: u.ID, Username: "dan.k", Status: "active", PlanGroup: "home-10",
		PPPoEUsername: "dan@isp", PPPoEPassword: "dan-pass 1"}, c)

	ins, err := jobs.NewInserter(b.pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	testfactory.Device(ctx, t, b.pool, &b.orgA, "ZTEGC0FFEE12", &u.ID)
	ans, err := cpe.NewService(b.pool, b.box, ins).Identify(ctx, cpe.IdentifyInput{Serial: "ZTEGC0FFEE12", OUI: "344B50",
		ProductClass: "F660", Manufacturer: "ZTE", DeviceID: "344B50-F660-ZTEGC0FFEE12", Root: "InternetGatewayDevice"})
	require.NoError(t, err)
	require.Equal(t, &cpe.PPPoE{Username: "dan@isp", Password: "dan-pass 1"}, ans.PPPoE)
	require.Contains(t, ans.Tags, "sub:dan_k")
	require.Contains(t, ans.Tags, "plan:home-10")

	t.Run("SharesTheCallersTransaction", func(t *testing.T) {
		tx, err := b.pool.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck // test cleanup
		_, err = tx.Exec(ctx, `UPDATE subscribers SET status = 'suspended' WHERE id = $1`, u.ID)
		require.NoError(t, err)
		c, err := b.svc.Credentials(ctx, tx, b.orgA.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, "suspended", c.Status, "sees the uncommitted change")
		require.Equal(t, "dan-pass 1", c.PPPoEPassword)
	})
	t.Run("ACiphertextMovedToAnotherRowDoesNotOpen", func(t *testing.T) {
		other := b.subscriber(t, b.admin, subscriber.Input{Username: "eve"})
		_, err := b.pool.Exec(ctx, `UPDATE subscriptions o SET pppoe_password_enc = d.pppoe_password_enc, pppoe_key_id = d.pppoe_key_id, pppoe_username = 'eve'
			FROM subscriptions d WHERE d.subscriber_id = $1 AND o.subscriber_id = $2`, u.ID, other.ID)
		require.NoError(t, err)
		_, err = b.svc.Credentials(ctx, b.pool, b.orgA.ID, other.ID)
		require.Error(t, err)
		require.NotContains(t, err.Error(), "dan-pass")
	})
}

// TestPasswordNeverInAuditOrErrors: no audit summary and no error message
// carries a PPPoE password.
func TestPasswordNeverInAuditOrErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	const pw1, pw2 = "Zq-first-secret-71", "Zq-second-secret-72"
	u := b.subscriber(t, b.admin, subscriber.Input{Username: "frank", PPPoEUsername: "frank", PPPoEPassword: pw1})
	_, err := b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "frank", PPPoEUsername: "frank", PPPoEPassword: pw2})
	require.NoError(t, err)
	_, err = b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "frank", PPPoEPassword: pw2 + "\x00"})
	require.Error(t, err)
	require.NotContains(t, err.Error(), pw2)
	_, err = b.svc.Update(ctx, b.admin, u.ID, subscriber.Input{Username: "frank", ClearPPPoEPassword: true})
	require.NoError(t, err)
	_, err = b.svc.SetStatus(ctx, b.admin, u.ID, subscriber.StatusSuspended)
	require.NoError(t, err)

	rows, err := b.pool.Query(ctx, `SELECT action, summary FROM audit_log WHERE target_id = $1 ORDER BY id`, u.ID.String())
	require.NoError(t, err)
	var actions []string
	for rows.Next() {
		var action, summary string
		require.NoError(t, rows.Scan(&action, &summary))
		actions = append(actions, action+": "+summary)
		require.NotContains(t, summary, "Zq-")
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{
		"subscriber.create: created subscriber frank (plan none, PPPoE username frank, PPPoE password set)",
		"subscriber.update: frank: PPPoE password changed",
		"subscriber.update: frank: PPPoE username changed, PPPoE password removed",
		"subscriber.suspend: suspended subscriber frank",
	}, actions)
}
