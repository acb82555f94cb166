package cpe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

// TestSeveralDevicesPerSubscriber: on a plan that allows several devices,
// a subscriber's further device needs its own PPPoE login, unique in the
// organization across subscriptions and devices; each CPE then dials with
// its own (checked on the simulated CPEs), identify answers each its own,
// and unassigning forgets the device's. On a plan that does not, a second
// device is still refused.
func TestSeveralDevicesPerSubscriber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPush(t)
	a := b.admin(t)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("biashara"), PlanGroup: testfactory.Ptr("biz-2"),
		PPPoEUser: testfactory.Ptr("biashara@isp")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("nyumbani"), PlanGroup: testfactory.Ptr("home-1"),
		PPPoEUser: testfactory.Ptr("nyumbani@isp")})
	_, err := b.pool.Exec(ctx, `UPDATE plans SET several_devices = true WHERE org_id = $1 AND genieacs_group = 'biz-2'`, b.org.ID)
	require.NoError(t, err)
	first, firstDev := b.owned(t, "HG8245H")
	second, secondDev := b.owned(t, "Archer%20AX10")
	third, _ := b.owned(t, "F660")

	_, err = b.svc.Assign(ctx, a, first, cpe.AssignInput{Subscriber: "biashara"})
	require.NoError(t, err)
	refused := func(in cpe.AssignInput, field, msg string) {
		t.Helper()
		_, err := b.svc.Assign(ctx, a, second, in)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Equal(t, msg, ve[field], "%+v", ve)
		d, err := b.svc.Get(ctx, a, second)
		require.NoError(t, err)
		require.Empty(t, d.Subscriber, "a refused assignment changes nothing")
	}
	refused(cpe.AssignInput{Subscriber: "biashara"}, "pppoeUsername",
		"biashara is already on "+b.serialOf(t, first)+" and their plan allows several devices: this one needs its own PPPoE username")
	refused(cpe.AssignInput{Subscriber: "biashara", PPPoEUsername: "biashara-2@isp"}, "pppoePassword", "is required")
	refused(cpe.AssignInput{Subscriber: "biashara", PPPoEUsername: "BIASHARA@isp", PPPoEPassword: "line-two-pass"}, "pppoeUsername",
		"is already the PPPoE username of subscriber biashara")
	refused(cpe.AssignInput{Subscriber: "biashara", PPPoEUsername: "nyumbani@isp", PPPoEPassword: "line-two-pass"}, "pppoeUsername",
		"is already the PPPoE username of subscriber nyumbani")

	d, err := b.svc.Assign(ctx, a, second, cpe.AssignInput{Subscriber: "biashara", PPPoEUsername: "biashara-2@isp", PPPoEPassword: "line-two-pass"})
	require.NoError(t, err)
	require.Equal(t, "biashara-2@isp", d.LineUsername)
	b.waitPush(t, first, cpe.PushDone)
	b.waitPush(t, second, cpe.PushDone)
	user, _ := b.pppUser(t, firstDev)
	require.Equal(t, "biashara@isp", user, "the first device dials with the subscription's login")
	user, tags := b.pppUser(t, secondDev)
	require.Equal(t, "biashara-2@isp", user, "the second with its own")
	require.Contains(t, tags, "sub:biashara")
	ans, err := b.svc.Identify(ctx, cpe.IdentifyInput{Serial: secondDev.Identity.SerialNumber, OUI: secondDev.Identity.OUI,
		ProductClass: secondDev.Identity.ProductClass, Manufacturer: secondDev.Identity.Manufacturer, DeviceID: secondDev.ID, Root: secondDev.Root()})
	require.NoError(t, err)
	require.Equal(t, &cpe.PPPoE{Username: "biashara-2@isp", Password: "line-two-pass"}, ans.PPPoE, "identify answers the device's own login")

	// Unique across devices and subscriptions, without case.
	_, err = b.svc.Assign(ctx, a, third, cpe.AssignInput{Subscriber: "biashara", PPPoEUsername: "Biashara-2@ISP", PPPoEPassword: "x-pass-3"})
	var ve validation.Errors
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "is already the PPPoE login of device "+b.serialOf(t, second), ve["pppoeUsername"])
	subs := subscriber.NewService(b.pool, b.box)
	_, err = subs.Create(ctx, a, subscriber.Input{Username: "mgeni", PPPoEUsername: "biashara-2@isp", PPPoEPassword: "guest-pass"})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "is already the PPPoE login of device "+b.serialOf(t, second), ve["pppoeUsername"])

	// A plan with one device per subscriber still refuses a second.
	_, err = b.svc.Assign(ctx, a, third, cpe.AssignInput{Subscriber: "nyumbani"})
	require.NoError(t, err)
	_, err = b.svc.Assign(ctx, a, second, cpe.AssignInput{Subscriber: "nyumbani", PPPoEUsername: "n2@isp", PPPoEPassword: "n2-pass"})
	var ae *cpe.AssignedElsewhereError
	require.ErrorAs(t, err, &ae)

	d, err = b.svc.Unassign(ctx, a, second)
	require.NoError(t, err)
	require.Empty(t, d.LineUsername, "unassigned, the device's own login is forgotten")
	require.Equal(t, 2, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.assign' AND summary LIKE '%biashara%'`))
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE summary LIKE '%with its own PPPoE login biashara-2@isp'`))
}
