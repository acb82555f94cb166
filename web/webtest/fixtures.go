package webtest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// Fixtures shared by the tests of more than one package (a feature's page
// and API tests), moved here with their SQL unchanged.

// Simulated models, as their product class appears in GenieACS ids.
const (
	ModelHuawei = "HG8245H"
	ModelZTE    = "F660"
	ModelTPLink = "Archer%20AX10"
)

// SimDevice registers the n-th simulated device of a model as o's, as if it
// had informed: it returns the device id and its GenieACS id.
func (b *Bundle) SimDevice(t *testing.T, o org.Org, model string, n int) (uuid.UUID, string) {
	t.Helper()
	for _, gid := range b.Sim.DeviceIDs() {
		if !strings.Contains(gid, "-"+model+"-") {
			continue
		}
		if n > 0 {
			n--
			continue
		}
		return b.register(t, o, gid), gid
	}
	t.Fatalf("no simulated %s number %d", model, n)
	return uuid.Nil, ""
}

// QuietSimDevice adds a simulated CPE of profile (acssim.Profile...) whose
// periodic informs are off, bootstraps it and registers it as o's: GenieACS
// then learns about it only when asked (connection requests). It is for
// tests about what GenieACS does not know yet: the fleet's periodic informs
// run the health preset, which lists DeviceInfo, and the first of them comes
// about a second after SetupWithSim returns.
func (b *Bundle) QuietSimDevice(t *testing.T, o org.Org, profile string) (uuid.UUID, string) {
	t.Helper()
	gid, err := b.Sim.AddDevice(profile, "")
	require.NoError(t, err)
	if err := b.Sim.SetValue(gid, "InternetGatewayDevice.ManagementServer.PeriodicInformEnable", false); err != nil {
		require.NoError(t, b.Sim.SetValue(gid, "Device.ManagementServer.PeriodicInformEnable", false))
	}
	// Its bootstrap, now: the session supersedes the inform AddDevice
	// scheduled (seconds away for SetupWithSim's fleets) and, periodic
	// informs being off, schedules none.
	require.NoError(t, b.Sim.Inform(context.Background(), gid, "0 BOOTSTRAP", "1 BOOT"))
	return b.register(t, o, gid), gid
}

// JudgedSimDevice adds a simulated CPE of profile (acssim.Profile...),
// bootstraps it, runs its first periodic session (the health provision
// discovers its objects) and a sync pass, and registers it as o's: its
// capabilities are then judged, as in production a sync interval after
// its first periodic inform.
func (b *Bundle) JudgedSimDevice(t *testing.T, o org.Org, profile string) (uuid.UUID, string) {
	t.Helper()
	ctx := context.Background()
	gid, err := b.Sim.AddDevice(profile, "")
	require.NoError(t, err)
	require.NoError(t, b.Sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	id := b.register(t, o, gid)
	_, err = b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	return id, gid
}

// register records the simulated device gid as o's, as if it had informed.
func (b *Bundle) register(t *testing.T, o org.Org, gid string) uuid.UUID {
	t.Helper()
	return testfactory.RegisterGenieACSDevice(context.Background(), t, b.Pool, b.ACS, o, gid)
}

// Device adds a device to acme's inventory, or a pending one (no
// organization).
func (b *Bundle) Device(t *testing.T, serial string, pending bool) uuid.UUID {
	t.Helper()
	if pending {
		return testfactory.Device(context.Background(), t, b.Pool, nil, serial, nil)
	}
	return testfactory.Device(context.Background(), t, b.Pool, &b.OrgA, serial, nil)
}

// Count runs a count query.
func (b *Bundle) Count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.Pool.QueryRow(context.Background(), query, args...).Scan(&n))
	return n
}

// Dump is every row of a table as text, to look for secrets in.
func (b *Bundle) Dump(t *testing.T, table string) string {
	t.Helper()
	var s string
	require.NoError(t, b.Pool.QueryRow(context.Background(), `SELECT COALESCE(string_agg(r::text, E'\n'), '') FROM `+table+` r`).Scan(&s))
	return s
}

// APIKey creates an API key of role in o.
func (b *Bundle) APIKey(t *testing.T, o org.Org, role actor.Role) string {
	t.Helper()
	_, key := testfactory.APIKey(context.Background(), t, b.Pool, o, role)
	return key
}

// SeedDashboard gives acme 8 devices (3 online, 2 offline under an hour,
// 2 stale, 1 never seen; firmware V2 ×3, "V3 R1+beta" ×1, V1 ×2 and two
// without a version; models HG8245H ×4, F660 ×3, one unreported) and 4
// faults (3 today, 1 yesterday); beta gets 2 devices and a fault of its own.
func SeedDashboard(t *testing.T, b *Bundle) {
	t.Helper()
	n := 0
	dev := func(o org.Org, firmware, model string, ago time.Duration) {
		n++
		var last *time.Time
		if ago >= 0 {
			l := time.Now().Add(-ago)
			last = &l
		}
		_, err := cpetest.Insert(context.Background(), b.Pool, cpetest.Device{OrgID: &o.ID, Serial: fmt.Sprintf("DASH%08d", n),
			SoftwareVersion: firmware, ProductClass: model, LastInformAt: last})
		require.NoError(t, err)
	}
	fault := func(o org.Org, status string, raised time.Time) {
		n++
		_, err := b.Pool.Exec(context.Background(), `INSERT INTO cpe_faults (genieacs_id, org_id, genieacs_device_id, channel, code, status, raised_at)
			VALUES ($1, $2, $1, 'default', '9002', $3, $4)`, fmt.Sprintf("dev-%d", n), o.ID, status, raised)
		require.NoError(t, err)
	}
	dev(b.OrgA, "V2", "HG8245H", time.Minute)
	dev(b.OrgA, "V3 R1+beta", "HG8245H", 5*time.Minute)
	dev(b.OrgA, "V1", "F660", 2*time.Minute)
	dev(b.OrgA, "V1", "HG8245H", 20*time.Minute)
	dev(b.OrgA, "", "F660", 50*time.Minute)
	dev(b.OrgA, "V2", "HG8245H", 3*time.Hour)
	dev(b.OrgA, "", "", 40*24*time.Hour)
	dev(b.OrgA, "V2", "F660", -1)
	dev(b.OrgB, "V9-BETA", "BETA-ONLY", time.Minute)
	dev(b.OrgB, "V2", "HG8245H", 2*time.Hour)
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	fault(b.OrgA, "active", now)
	fault(b.OrgA, "resolved", now)
	fault(b.OrgA, "cleared", now)
	fault(b.OrgA, "active", today.Add(-time.Hour))
	fault(b.OrgB, "active", now)
}

// FaultDoc is a fault document as GenieACS writes it.
func FaultDoc(device, channel, code string) string {
	return `{"_id":"` + device + `:` + channel + `","device":"` + device + `","channel":"` + channel +
		`","timestamp":"2026-01-02T03:04:05.000Z","code":"` + code + `","message":"Invalid arguments","retries":2,"provisions":"[]"}`
}

// SeedFaults puts fault documents in the simulator and runs one poll.
func (b *Bundle) SeedFaults(t *testing.T, docs ...string) {
	t.Helper()
	for _, d := range docs {
		require.NoError(t, b.Sim.PutFaultDocument(d))
	}
	ins, err := jobs.NewInserter(b.Pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	_, err = fault.NewService(b.Pool, b.ACS, ins).Poll(context.Background())
	require.NoError(t, err)
}

// FaultID is the id of the fault GenieACS knows as genieID.
func (b *Bundle) FaultID(t *testing.T, genieID string) string {
	t.Helper()
	var id string
	require.NoError(t, b.Pool.QueryRow(context.Background(), `SELECT id::text FROM cpe_faults WHERE genieacs_id = $1`, genieID).Scan(&id))
	return id
}

// InGenieACS reports whether GenieACS still holds the fault genieID.
func (b *Bundle) InGenieACS(t *testing.T, genieID string) bool {
	t.Helper()
	fs, err := b.ACS.Faults(context.Background(), map[string]any{"_id": genieID})
	require.NoError(t, err)
	return len(fs) == 1
}

// PPP1 and PPP2 are PPPoE passwords that must never show up in a page,
// a JSON body or a log line.
const (
	PPP1 = "Xk9-ppp-secret-one"
	PPP2 = "Xk9-ppp-secret-two"
)

// Catalog is the subscriber service as org A's admin, for fixtures.
func (b *Bundle) Catalog() (*subscriber.Service, context.Context) {
	return subscriber.NewService(b.Pool, b.Box), context.Background()
}

// SeedPlan creates a plan in acme.
func (b *Bundle) SeedPlan(t *testing.T, name, group string) subscriber.Plan {
	t.Helper()
	svc, ctx := b.Catalog()
	p, err := svc.CreatePlan(ctx, testfactory.Actor(b.AdminA), subscriber.PlanInput{Name: name, Group: group})
	require.NoError(t, err)
	return p
}

// SeedSubscriber creates a subscriber in acme.
func (b *Bundle) SeedSubscriber(t *testing.T, in subscriber.Input) subscriber.Subscriber {
	t.Helper()
	svc, ctx := b.Catalog()
	s, err := svc.Create(ctx, testfactory.Actor(b.AdminA), in)
	require.NoError(t, err)
	return s
}

// PPPoEPassword opens the stored PPPoE password of acme's subscriber id.
func (b *Bundle) PPPoEPassword(t *testing.T, id uuid.UUID) string {
	t.Helper()
	svc, ctx := b.Catalog()
	c, err := svc.Credentials(ctx, b.Pool, b.OrgA.ID, id)
	require.NoError(t, err)
	return c.PPPoEPassword
}

// NoSecrets fails if a PPPoE password appears in any of the bodies or in
// the server's log.
func (b *Bundle) NoSecrets(t *testing.T, bodies ...string) {
	t.Helper()
	for _, pw := range []string{PPP1, PPP2} {
		for i, body := range bodies {
			require.NotContains(t, body, pw, "body %d", i)
		}
		require.NotContains(t, b.Logs.String(), pw, "server log")
	}
}
