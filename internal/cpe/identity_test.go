package cpe_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// TestIdentityConflict: a CPE reporting the serial of an assigned device
// with another OUI, product class and GenieACS id gets the organization's
// tag and no secrets, changes nothing stored and is recorded once (audit
// and event); an owner or admin accepts the new identity (swap/RMA) or
// rejects it.
func TestIdentityConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	sub := testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{
		Username: testfactory.Ptr("alice.w"), PPPoEPassword: testfactory.Ptr("s3cret-ppp")})
	dev := testfactory.Device(ctx, t, b.pool, &b.org, "ZTEGC0FFEE12", &sub)
	testfactory.DesiredWiFi(ctx, t, b.pool, b.box, dev, "2.4GHz", "Alice Home", "wifi-pass-1")
	owner := testfactory.Actor(testfactory.User(ctx, t, b.pool, b.org, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleOwner)}))
	tech := testfactory.Actor(testfactory.User(ctx, t, b.pool, b.org, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleTechnician)}))
	other := testfactory.Org(ctx, t, b.pool, nil)
	otherOwner := testfactory.Actor(testfactory.User(ctx, t, b.pool, other, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleOwner)}))

	real := cpe.IdentifyInput{Serial: "ZTEGC0FFEE12", OUI: "344B50", ProductClass: "F660", Manufacturer: "ZTE",
		DeviceID: "344B50-F660-ZTEGC0FFEE12", Root: "InternetGatewayDevice"}
	impostor := cpe.IdentifyInput{Serial: "ZTEGC0FFEE12", OUI: "00259E", ProductClass: "HG8245H", Manufacturer: "Huawei",
		DeviceID: "00259E-HG8245H-ZTEGC0FFEE12", Root: "InternetGatewayDevice"}
	ans, err := b.svc.Identify(ctx, real)
	require.NoError(t, err)
	require.Equal(t, "assigned", ans.Status)
	require.NotNil(t, ans.PPPoE)

	stored := func() (oui, pc, gid string) {
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT oui, product_class, genieacs_id FROM cpe_devices WHERE id = $1`, dev).Scan(&oui, &pc, &gid))
		return
	}
	events := func() int {
		return count(t, b.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.identity_conflict' AND org_id = $1`, b.org.ID)
	}

	for range 2 {
		ans, err = b.svc.Identify(ctx, impostor)
		require.NoError(t, err)
		require.Equal(t, "conflict", ans.Status)
		require.Equal(t, []string{"org:acme"}, ans.Tags, "the organization's tag only")
		require.Nil(t, ans.PPPoE, "no PPPoE secret")
		require.Nil(t, ans.WiFi, "no Wi-Fi secret")
	}
	oui, pc, gid := stored()
	require.Equal(t, []string{"344B50", "F660", real.DeviceID}, []string{oui, pc, gid}, "the stored identity is not overwritten")
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_conflict' AND target_id = $1`, dev.String()),
		"audited once, not per report")
	require.Equal(t, 1, events())

	d, err := b.svc.GetDetail(ctx, tech, dev)
	require.NoError(t, err)
	require.Len(t, d.IdentityConflicts, 1)
	c := d.IdentityConflicts[0]
	require.Equal(t, 2, c.Reports)
	require.Equal(t, cpe.Identity{OUI: "344B50", ProductClass: "F660", GenieACSID: real.DeviceID}, c.Stored)
	require.Equal(t, []string{"OUI 344B50 → 00259E", "product class F660 → HG8245H", "GenieACS id " + real.DeviceID + " → " + impostor.DeviceID}, c.Differs())

	ans, err = b.svc.Identify(ctx, real)
	require.NoError(t, err)
	require.Equal(t, "assigned", ans.Status, "the real device keeps its configuration")
	require.Equal(t, "s3cret-ppp", ans.PPPoE.Password)

	t.Run("ResolveRefusals", func(t *testing.T) {
		_, err := b.svc.ResolveConflict(ctx, tech, dev, c.ID, true)
		require.ErrorIs(t, err, actor.ErrForbidden)
		_, err = b.svc.ResolveConflict(ctx, otherOwner, dev, c.ID, true)
		require.ErrorIs(t, err, db.ErrNotFound, "another organization's device is not found")
		_, err = b.svc.ResolveConflict(ctx, owner, dev, dev, true)
		require.ErrorIs(t, err, db.ErrNotFound, "no such conflict")
		list, n, err := b.svc.OpenConflicts(ctx, otherOwner, 10)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Empty(t, list)
	})
	t.Run("Rejected", func(t *testing.T) {
		got, err := b.svc.ResolveConflict(ctx, owner, dev, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, cpe.ConflictRejected, got.Status)
		ans, err := b.svc.Identify(ctx, impostor)
		require.NoError(t, err)
		require.Equal(t, "conflict", ans.Status)
		require.Empty(t, ans.Tags, "a rejected identity gets nothing")
		_, err = b.svc.ResolveConflict(ctx, owner, dev, c.ID, true)
		require.ErrorIs(t, err, cpe.ErrConflictResolved)
		require.Equal(t, 1, events(), "a rejected identity reporting again is counted, not raised again")
	})
	t.Run("AcceptedIsASwap", func(t *testing.T) {
		rma := cpe.IdentifyInput{Serial: "ZTEGC0FFEE12", OUI: "344B50", ProductClass: "F670L", Manufacturer: "ZTE",
			DeviceID: "344B50-F670L-ZTEGC0FFEE12", Root: "InternetGatewayDevice"}
		ans, err := b.svc.Identify(ctx, rma)
		require.NoError(t, err)
		require.Equal(t, "conflict", ans.Status)
		require.Equal(t, 2, events())
		_, n, err := b.svc.OpenConflicts(ctx, owner, 10)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		d, err := b.svc.GetDetail(ctx, owner, dev)
		require.NoError(t, err)
		require.Len(t, d.IdentityConflicts, 1)

		got, err := b.svc.ResolveConflict(ctx, owner, dev, d.IdentityConflicts[0].ID, true)
		require.NoError(t, err)
		require.Equal(t, cpe.ConflictAccepted, got.Status)
		require.Equal(t, owner.Label, got.ResolvedBy)
		oui, pc, gid := stored()
		require.Equal(t, []string{"344B50", "F670L", rma.DeviceID}, []string{oui, pc, gid})
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_accepted' AND target_id = $1`, dev.String()))

		ans, err = b.svc.Identify(ctx, rma)
		require.NoError(t, err)
		require.Equal(t, "assigned", ans.Status, "the swapped-in unit gets the configuration")
		require.Equal(t, "s3cret-ppp", ans.PPPoE.Password)
		ans, err = b.svc.Identify(ctx, real)
		require.NoError(t, err)
		require.Equal(t, "conflict", ans.Status, "the unit swapped out is now the stranger")
	})
}

// TestIdentityConflictOnEachFieldAlone: the OUI alone, the product class
// alone or the GenieACS id alone differing is a conflict (no secrets, the
// stored identity kept); the manufacturer string alone is not (vendors
// report it inconsistently across firmware).
func TestIdentityConflictOnEachFieldAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	for i, tc := range []struct {
		name     string
		change   func(*cpe.IdentifyInput)
		conflict bool
	}{
		{"OUI", func(in *cpe.IdentifyInput) { in.OUI = "00259E" }, true},
		{"ProductClass", func(in *cpe.IdentifyInput) { in.ProductClass = "F670L" }, true},
		{"GenieACSID", func(in *cpe.IdentifyInput) { in.DeviceID = "344B50-F660-ZTEGC0FFEE99" }, true},
		{"ManufacturerOnly", func(in *cpe.IdentifyInput) { in.Manufacturer = "ZTE Corporation" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serial := fmt.Sprintf("ZTEGC0FFEE%02d", 20+i)
			sub := testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{
				Username: testfactory.Ptr("field." + strings.ToLower(tc.name)), PPPoEPassword: testfactory.Ptr("s3cret-" + tc.name)})
			dev := testfactory.Device(ctx, t, b.pool, &b.org, serial, &sub)
			real := cpe.IdentifyInput{Serial: serial, OUI: "344B50", ProductClass: "F660", Manufacturer: "ZTE",
				DeviceID: "344B50-F660-" + serial, Root: "InternetGatewayDevice"}
			ans, err := b.svc.Identify(ctx, real)
			require.NoError(t, err)
			require.Equal(t, "assigned", ans.Status)
			other := real
			tc.change(&other)
			ans, err = b.svc.Identify(ctx, other)
			require.NoError(t, err)
			n := count(t, b.pool, `SELECT count(*) FROM cpe_identity_conflicts WHERE device_id = $1`, dev)
			var oui, pc, gid string
			require.NoError(t, b.pool.QueryRow(ctx, `SELECT oui, product_class, genieacs_id FROM cpe_devices WHERE id = $1`, dev).Scan(&oui, &pc, &gid))
			if tc.conflict {
				require.Equal(t, "conflict", ans.Status)
				require.Nil(t, ans.PPPoE, "no PPPoE secret")
				require.Equal(t, 1, n)
				require.Equal(t, []string{"344B50", "F660", real.DeviceID}, []string{oui, pc, gid}, "the stored identity is kept")
			} else {
				require.Equal(t, "assigned", ans.Status)
				require.NotNil(t, ans.PPPoE)
				require.Zero(t, n)
			}
		})
	}
}

// TestIdentityOfPendingDeviceUpdates: a device no organization holds takes
// a new identity as before, with no conflict.
func TestIdentityOfPendingDeviceUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	_, err := b.svc.Identify(ctx, huawei("48575443A1B2C3D4"))
	require.NoError(t, err)
	in := huawei("48575443A1B2C3D4")
	in.OUI, in.ProductClass, in.DeviceID = "9CE374", "EG8145V5", "9CE374-EG8145V5-48575443A1B2C3D4"
	ans, err := b.svc.Identify(ctx, in)
	require.NoError(t, err)
	require.Equal(t, "pending", ans.Status)
	var oui, pc string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT oui, product_class FROM cpe_devices`).Scan(&oui, &pc))
	require.Equal(t, []string{"9CE374", "EG8145V5"}, []string{oui, pc})
	require.Zero(t, count(t, b.pool, `SELECT count(*) FROM cpe_identity_conflicts`))
}
