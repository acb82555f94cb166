package cpe_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/testfactory"
)

type pushBundle struct {
	*testBundle
	sim    *acssim.TestServer
	client *genieacs.Client
}

// setupPush runs a simulator and a River worker pushing to it.
func setupPush(t *testing.T) *pushBundle {
	t.Helper()
	b := setup(t)
	sim, c := testfactory.GenieACS(t, acssim.Options{Devices: 6, Seed: 21, SessionDelay: time.Millisecond, OnlineThreshold: 300 * time.Millisecond},
		testfactory.GenieACSOpts{Breaker: genieacs.BreakerSettings{MinRequests: 1000}}) // these tests inject failures; keep the breaker out of the way
	logger := slog.New(slog.DiscardHandler)
	ins, err := jobs.NewInserter(b.pool, logger)
	require.NoError(t, err)
	wc, err := jobs.NewWorkerClient(jobs.Deps{Pool: b.pool, Logger: logger, Inserter: ins, GenieACS: c, CPE: b.svc,
		HTTPClient: outbox.NewHTTPClient(true), Fast: true, PushWait: 100 * time.Millisecond,
		PushBackoff: func(int) time.Duration { return 200 * time.Millisecond }})
	require.NoError(t, err)
	require.NoError(t, wc.Start(context.Background()))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })
	return &pushBundle{testBundle: b, sim: sim, client: c}
}

// owned registers a simulated device as the org's, as identify would have.
func (b *pushBundle) owned(t *testing.T, productClass string) (uuid.UUID, *genieacs.Device) {
	t.Helper()
	ctx := context.Background()
	id, gid := testfactory.GenieACSDevice(ctx, t, b.pool, b.client, b.org, b.sim.DeviceIDs(), productClass, 0)
	d, err := b.client.GetDevice(ctx, gid, []string{"_deviceId"})
	require.NoError(t, err)
	return id, d
}

func (b *pushBundle) serialOf(t *testing.T, id uuid.UUID) string {
	t.Helper()
	d, err := b.svc.Get(context.Background(), b.admin(t), id)
	require.NoError(t, err)
	return d.Serial
}

func (b *pushBundle) waitPush(t *testing.T, id uuid.UUID, want string) cpe.Device {
	t.Helper()
	a := b.admin(t)
	var d cpe.Device
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		d, err = b.svc.Get(context.Background(), a, id)
		require.NoError(c, err)
		require.Equal(c, want, d.PushState, "push state %q, want %q (%s)", d.PushState, want, d.PushError)
	}, 20*time.Second, 20*time.Millisecond)
	return d
}

// pppUser reads the PPPoE username the simulated device holds.
func (b *pushBundle) pppUser(t *testing.T, d *genieacs.Device) (string, []string) {
	t.Helper()
	doc, err := b.client.GetDevice(context.Background(), d.ID, nil)
	require.NoError(t, err)
	id := datamodel.Identity{Manufacturer: doc.Identity.Manufacturer, OUI: doc.Identity.OUI, ProductClass: doc.Identity.ProductClass, Root: doc.Root()}
	path, found := datamodel.Resolve(datamodel.PPPoEUsername, id, maps.Keys(doc.Params))
	require.True(t, found)
	return doc.String(path), doc.Tags
}

func TestPushAssignReassignUnassign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPush(t)
	a := b.admin(t)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice"), PlanGroup: testfactory.Ptr("home-10"),
		PPPoEUser: testfactory.Ptr("alice@isp")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("bob"), PlanGroup: testfactory.Ptr("biz-50"),
		PPPoEUser: testfactory.Ptr("bob@isp")})

	for _, model := range []string{"HG8245H", "F660", "Archer%20AX10"} {
		t.Run(model, func(t *testing.T) {
			id, dev := b.owned(t, model)
			_, err := b.svc.Assign(ctx, a, id, cpe.AssignInput{Subscriber: "alice"})
			require.NoError(t, err)
			d := b.waitPush(t, id, cpe.PushDone)
			require.NotNil(t, d.PushedAt)
			user, tags := b.pppUser(t, dev)
			require.Equal(t, "alice@isp", user, "PPPoE written to the PPP instance the device really has")
			require.Subset(t, tags, []string{"org:acme", "sub:alice", "plan:home-10"})

			_, err = b.svc.Assign(ctx, a, id, cpe.AssignInput{Subscriber: "bob"})
			require.NoError(t, err)
			b.waitPush(t, id, cpe.PushDone)
			user, tags = b.pppUser(t, dev)
			require.Equal(t, "bob@isp", user)
			require.Subset(t, tags, []string{"org:acme", "sub:bob", "plan:biz-50"})
			require.NotContains(t, tags, "sub:alice", "reassignment swaps the sub: tag")
			require.NotContains(t, tags, "plan:home-10")

			_, err = b.svc.Unassign(ctx, a, id)
			require.NoError(t, err)
			b.waitPush(t, id, cpe.PushDone)
			user, tags = b.pppUser(t, dev)
			require.Empty(t, user, "unassign clears the PPPoE login on the CPE")
			require.Contains(t, tags, "org:acme")
			require.NotContains(t, tags, "sub:bob", "unassign clears the tags")
			require.NotContains(t, tags, "plan:biz-50")
		})
	}
	require.Positive(t, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.push' AND summary LIKE 'configuration pushed%'`))
}

// One PPPoE identity per line: a subscriber already on a device is
// refused on a second one, or moved: the first is unassigned and its
// login cleared on the CPE itself, so only one CPE can dial.
func TestPushMoveClearsTheOldDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPush(t)
	a := b.admin(t)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("Wanjiru"), PlanGroup: testfactory.Ptr("home-10"),
		PPPoEUser: testfactory.Ptr("wanjiru@isp")})
	first, firstDev := b.owned(t, "HG8245H")
	second, secondDev := b.owned(t, "Archer%20AX10")
	_, err := b.svc.Assign(ctx, a, first, cpe.AssignInput{Subscriber: "wanjiru"})
	require.NoError(t, err, "usernames are matched without case")
	b.waitPush(t, first, cpe.PushDone)
	user, _ := b.pppUser(t, firstDev)
	require.Equal(t, "wanjiru@isp", user)

	_, err = b.svc.Assign(ctx, a, second, cpe.AssignInput{Subscriber: "Wanjiru"})
	var ae *cpe.AssignedElsewhereError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, []cpe.Elsewhere{{ID: first, Serial: b.serialOf(t, first)}}, ae.Devices)
	require.Contains(t, err.Error(), "Wanjiru is already on device "+b.serialOf(t, first))
	d, err := b.svc.Get(ctx, a, second)
	require.NoError(t, err)
	require.Empty(t, d.Subscriber, "a refused assignment changes nothing")

	_, err = b.svc.Assign(ctx, a, second, cpe.AssignInput{Subscriber: "Wanjiru", Move: true})
	require.NoError(t, err)
	b.waitPush(t, second, cpe.PushDone)
	b.waitPush(t, first, cpe.PushDone)
	user, tags := b.pppUser(t, secondDev)
	require.Equal(t, "wanjiru@isp", user)
	require.Contains(t, tags, "sub:Wanjiru")
	user, tags = b.pppUser(t, firstDev)
	require.Empty(t, user, "the old device's login is cleared on the CPE")
	require.NotContains(t, tags, "sub:Wanjiru")
	doc, err := b.client.GetDevice(ctx, firstDev.ID, []string{"InternetGatewayDevice.WANDevice"})
	require.NoError(t, err)
	enables := 0
	for path, v := range doc.Params {
		if strings.HasSuffix(path, "WANPPPConnection.1.Enable") {
			require.Equal(t, "false", fmt.Sprint(v.Value), "%s: the cleared connection stops dialling", path)
			enables++
		}
	}
	require.Equal(t, 1, enables, "the PPP connection's Enable was read")
	old, err := b.svc.Get(ctx, a, first)
	require.NoError(t, err)
	require.Empty(t, old.Subscriber)
	require.Zero(t, count(t, b.pool, `SELECT count(*) FROM cpe_devices WHERE pppoe_clear`), "the clearing is done once pushed")
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.unassign' AND summary LIKE 'moved Wanjiru from %'`))
}

func TestPushOfflineDeviceLandsAtItsNextInform(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPush(t)
	a := b.admin(t)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("carol"), PPPoEUser: testfactory.Ptr("carol@isp")})
	id, dev := b.owned(t, "HG8245H")
	require.NoError(t, b.sim.SetOnline(dev.ID, false))

	_, err := b.svc.Assign(ctx, a, id, cpe.AssignInput{Subscriber: "carol"})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var task string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT push_task_id FROM cpe_devices WHERE id = $1`, id).Scan(&task))
		return task != ""
	}, 10*time.Second, 20*time.Millisecond, "the task waits in GenieACS")
	d, err := b.svc.Get(ctx, a, id)
	require.NoError(t, err)
	require.Equal(t, cpe.PushPending, d.PushState)
	require.Contains(t, d.PushError, "GenieACS could not reach the device just now", "not \"offline\": FyberPay's status may say online")

	require.NoError(t, b.sim.SetOnline(dev.ID, true))
	require.NoError(t, b.sim.Inform(ctx, dev.ID, "2 PERIODIC"))
	b.waitPush(t, id, cpe.PushDone)
	user, _ := b.pppUser(t, dev)
	require.Equal(t, "carol@isp", user)
}

func TestPushRetriesWhileGenieACSIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPush(t)
	a := b.admin(t)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("dave"), PPPoEUser: testfactory.Ptr("dave@isp")})
	id, dev := b.owned(t, "F660")
	b.sim.SetFailure(acssim.Failure{Status: http.StatusServiceUnavailable})

	d, err := b.svc.Assign(ctx, a, id, cpe.AssignInput{Subscriber: "dave"})
	require.NoError(t, err, "the assignment is saved whatever GenieACS does")
	require.Equal(t, "dave", d.Subscriber)
	require.Eventually(t, func() bool {
		var errText string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT push_error FROM cpe_devices WHERE id = $1`, id).Scan(&errText))
		return strings.Contains(errText, "503")
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, cpe.PushPending, b.waitPush(t, id, cpe.PushPending).PushState)

	b.sim.SetFailure(acssim.Failure{})
	b.waitPush(t, id, cpe.PushDone)
	user, _ := b.pppUser(t, dev)
	require.Equal(t, "dave@isp", user, "nothing lost")
}

// TestPushWaitsForGenieACSToSaveTheFirstSession: identify, inside a
// device's first session, queues its push; GenieACS saves the device's
// document only when that session ends, so for a while it does not know
// the device. The push waits (saying so) and lands once GenieACS knows it;
// a device GenieACS lost long after its first contact fails as before.
func TestPushWaitsForGenieACSToSaveTheFirstSession(t *testing.T) {
	t.Parallel()
	b := setupPush(t)
	ctx := context.Background()
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("nuru"), PlanGroup: testfactory.Ptr("home-10")})
	id, d := b.owned(t, "HG8245H")
	// GenieACS does not know it (yet), and it first informed just now.
	require.NoError(t, b.client.DeleteDevice(ctx, d.ID))
	_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET first_contact_at = now() WHERE id = $1`, id)
	require.NoError(t, err)
	_, err = b.svc.Assign(ctx, b.admin(t), id, cpe.AssignInput{Subscriber: "nuru"})
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		dev, err := b.svc.Get(ctx, b.admin(t), id)
		require.NoError(c, err)
		require.Equal(c, cpe.PushPending, dev.PushState)
		require.Equal(c, "waiting for GenieACS to save the device's first session", dev.PushError)
	}, 20*time.Second, 20*time.Millisecond)
	// The session ends: GenieACS knows the device again.
	require.NoError(t, b.sim.Inform(ctx, d.ID, "0 BOOTSTRAP", "1 BOOT"))
	b.waitPush(t, id, cpe.PushDone)

	t.Run("LongAfterTheFirstContact", func(t *testing.T) {
		require.NoError(t, b.client.DeleteDevice(ctx, d.ID))
		_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET first_contact_at = now() - interval '1 hour' WHERE id = $1`, id)
		require.NoError(t, err)
		_, err = b.svc.Unassign(ctx, b.admin(t), id)
		require.NoError(t, err)
		dev := b.waitPush(t, id, cpe.PushFailed)
		require.Equal(t, "GenieACS does not know this device (deleted from GenieACS?)", dev.PushError)
	})
}
