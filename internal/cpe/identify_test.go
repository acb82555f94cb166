package cpe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

type testBundle struct {
	pool *pgxpool.Pool
	box  *secret.Box
	svc  *cpe.Service
	org  org.Org
}

func setup(t *testing.T) *testBundle { return setupB(t) }

func setupB(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{9}, 32)}})
	require.NoError(t, err)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	o := testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme")})
	return &testBundle{pool: pool, box: box, svc: cpe.NewService(pool, box, ins), org: o}
}

func huawei(serial string) cpe.IdentifyInput {
	return cpe.IdentifyInput{Serial: serial, OUI: "00259E", ProductClass: "HG8245H", Manufacturer: "Huawei Technologies Co., Ltd",
		DeviceID: "00259E-HG8245H-" + serial, Root: "InternetGatewayDevice"}
}

func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

func TestIdentifyUnknownDeviceBecomesPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	ans, err := b.svc.Identify(ctx, huawei("48575443A1B2C3D4"))
	require.NoError(t, err)
	require.Equal(t, "pending", ans.Status)
	require.Empty(t, ans.Tags)
	require.Nil(t, ans.PPPoE)
	require.Equal(t, 300, ans.PeriodicInformInterval)

	var (
		orgID                   *string
		norm, model, genieID, s string
	)
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT org_id::text, serial_norm, data_model, genieacs_id, serial FROM cpe_devices`).
		Scan(&orgID, &norm, &model, &genieID, &s))
	require.Nil(t, orgID)
	require.Equal(t, "HWTCA1B2C3D4", norm)
	require.Equal(t, "TR-098", model)
	require.Equal(t, "00259E-HG8245H-48575443A1B2C3D4", genieID)
	require.Equal(t, "48575443A1B2C3D4", s)

	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.discovered' AND org_id IS NULL`))
	var payload []byte
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT payload FROM outbox_events WHERE topic = 'cpe.discovered' AND org_id IS NULL`).Scan(&payload))
	var ev map[string]any
	require.NoError(t, json.Unmarshal(payload, &ev))
	require.Equal(t, "HWTCA1B2C3D4", ev["serial"])
	require.Equal(t, true, ev["pending"])

	t.Run("SecondContactIsNotDiscoveredAgain", func(t *testing.T) {
		_, err := b.svc.Identify(ctx, huawei("48575443A1B2C3D4"))
		require.NoError(t, err)
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM cpe_devices`))
		require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.discovered'`))
	})
}

func TestIdentifyKnownDeviceWithOrgOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	testfactory.Device(ctx, t, b.pool, &b.org, "HWTCA1B2C3D4", nil) // typed from the label
	ans, err := b.svc.Identify(ctx, huawei("48575443A1B2C3D4"))     // reported in hex
	require.NoError(t, err)
	require.Equal(t, "claimed", ans.Status)
	require.Equal(t, []string{"org:acme"}, ans.Tags)
	require.Nil(t, ans.PPPoE)
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM cpe_devices`), "label and hex forms are one device")
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.discovered' AND org_id = $1`, b.org.ID),
		"first contact of an inventory device is audited in its organization")
}

func TestIdentifyAssignedDeviceGetsTagsPPPoEAndWiFi(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	sub := testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{
		Username: testfactory.Ptr("alice.w"), PlanGroup: testfactory.Ptr("home-10"), PPPoEPassword: testfactory.Ptr("s3cret-ppp")})
	dev := testfactory.Device(ctx, t, b.pool, &b.org, "ZTEGC0FFEE12", &sub)
	testfactory.DesiredWiFi(ctx, t, b.pool, b.box, dev, "2.4GHz", "Alice Home", "wifi-pass-1")

	in := cpe.IdentifyInput{Serial: "ZTEGC0FFEE12", OUI: "344B50", ProductClass: "F660", Manufacturer: "ZTE", DeviceID: "344B50-F660-ZTEGC0FFEE12", Root: "InternetGatewayDevice"}
	ans, err := b.svc.Identify(ctx, in)
	require.NoError(t, err)
	require.Equal(t, "assigned", ans.Status)
	require.Equal(t, []string{"org:acme", "sub:alice_w", "plan:home-10"}, ans.Tags)
	require.Equal(t, &cpe.PPPoE{Username: "alice.w", Password: "s3cret-ppp"}, ans.PPPoE)
	require.Equal(t, []cpe.WiFi{{Band: "2.4GHz", SSID: "Alice Home", Password: "wifi-pass-1"}}, ans.WiFi)

	t.Run("SuspendedSubscriberGetsNoCredentials", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `UPDATE subscribers SET status = 'suspended' WHERE id = $1`, sub)
		require.NoError(t, err)
		ans, err := b.svc.Identify(ctx, in)
		require.NoError(t, err)
		require.Nil(t, ans.PPPoE)
		require.Contains(t, ans.Tags, "sub:alice_w")
	})
}

func TestIdentifyRejectsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	for name, in := range map[string]cpe.IdentifyInput{
		"MissingSerial":   {OUI: "00259E"},
		"OversizedSerial": {Serial: string(bytes.Repeat([]byte("A"), 65)), OUI: "00259E"},
		"NonPrintable":    {Serial: "HWTC\x00\x01", OUI: "00259E"},
		"SpaceInSerial":   {Serial: "HWTC 1234", OUI: "00259E"},
		"BadOUI":          {Serial: "HWTC12345678", OUI: "XYZ"},
		"BadRoot":         {Serial: "HWTC12345678", OUI: "00259E", Root: "Root"},
		"NonASCIIProduct": {Serial: "HWTC12345678", OUI: "00259E", ProductClass: "HG\u00e9"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.svc.Identify(ctx, in)
			var ve validation.Errors
			require.ErrorAs(t, err, &ve)
		})
	}
	require.Zero(t, count(t, b.pool, `SELECT count(*) FROM cpe_devices`), "never a row")
}

func TestIdentifyKnownDeviceIsARead(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	b := setup(t)
	in := huawei("48575443A1B2C3D4")
	_, err := b.svc.Identify(ctx, in) // first contact: written at once
	require.NoError(t, err)
	var first time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT last_identified_at FROM cpe_contacts`).Scan(&first))

	wait := b.svc.StartContactBatching(ctx, time.Hour, slog.New(slog.DiscardHandler))
	ans, err := b.svc.Identify(ctx, in)
	require.NoError(t, err)
	require.Equal(t, "pending", ans.Status)
	var now time.Time
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT last_identified_at FROM cpe_contacts`).Scan(&now))
	require.Equal(t, first, now, "an unchanged known device is not written per call")

	t.Run("ChangedIdentityIsWrittenAtOnce", func(t *testing.T) {
		moved := in
		moved.Root = "Device" // e.g. new firmware speaking TR-181
		_, err := b.svc.Identify(ctx, moved)
		require.NoError(t, err)
		var model string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT data_model FROM cpe_devices`).Scan(&model))
		require.Equal(t, "TR-181", model)
	})

	cancel() // shutdown flushes what is pending
	wait()
	var flushed time.Time
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT last_identified_at FROM cpe_contacts`).Scan(&flushed))
	require.True(t, flushed.After(first), "contact time written behind")
}
