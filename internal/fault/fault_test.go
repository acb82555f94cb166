package fault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
)

type testBundle struct {
	pool   *pgxpool.Pool
	sim    *acssim.TestServer
	client *genieacs.Client
	ins    outbox.JobInserter
	svc    *fault.Service
	org    org.Org
	other  org.Org
}

func setup(t testing.TB, devices int) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	sim, c := testfactory.GenieACS(t, acssim.Options{Devices: devices, Seed: 7, SessionDelay: time.Millisecond,
		OnlineThreshold: 300 * time.Millisecond, TimeCompression: 600}, testfactory.GenieACSOpts{Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
	return &testBundle{pool: pool, sim: sim, client: c, ins: ins, svc: fault.NewService(pool, c, ins),
		org:   testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme")}),
		other: testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("beta")})}
}

func (b *testBundle) as(t testing.TB, o org.Org, role actor.Role) actor.Actor {
	t.Helper()
	return testfactory.Actor(testfactory.User(context.Background(), t, b.pool, o, &testfactory.UserOpts{Role: &role}))
}

// owned registers the n-th simulated device of a model as o's.
func (b *testBundle) owned(t testing.TB, o org.Org, model string, n int) (uuid.UUID, string) {
	t.Helper()
	return testfactory.GenieACSDevice(context.Background(), t, b.pool, b.client, o, b.sim.DeviceIDs(), model, n)
}

// unowned is the GenieACS id of the n-th simulated device of a model, with
// no cpe_devices row.
func (b *testBundle) unowned(t testing.TB, model string, n int) string {
	t.Helper()
	for _, id := range b.sim.DeviceIDs() {
		if strings.Contains(id, "-"+model+"-") {
			if n == 0 {
				return id
			}
			n--
		}
	}
	t.Fatalf("no simulated %s number %d", model, n)
	return ""
}

// taskFault makes the device fault a task: a periodic inform interval of
// 0 is refused by the CPE (cwmp.9007). It returns the fault's GenieACS id.
func (b *testBundle) taskFault(t testing.TB, gid string) string {
	t.Helper()
	root := "InternetGatewayDevice"
	if strings.Contains(gid, "Archer") {
		root = "Device"
	}
	res, err := b.client.CreateTask(context.Background(), gid,
		genieacs.SetParameterValues(genieacs.ParameterValue{Path: root + ".ManagementServer.PeriodicInformInterval", Value: "0"}),
		genieacs.TaskOptions{ConnectionRequest: true})
	require.NoError(t, err)
	require.Equal(t, genieacs.OutcomeFaulted, res.Outcome, res.Reason)
	return gid + ":task_" + res.Task.ID
}

// deleteFault deletes a fault in GenieACS as an operator would, waiting
// while its device is in session (GenieACS answers 503 then).
func (b *testBundle) deleteFault(t testing.TB, id string) {
	t.Helper()
	var err error
	require.Eventually(t, func() bool {
		err = b.client.DeleteFault(context.Background(), id)
		var he *genieacs.HTTPError
		return !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable
	}, 10*time.Second, 20*time.Millisecond, "GenieACS still answers 503: the device's session did not end")
	require.NoError(t, err)
}

func (b *testBundle) poll(t testing.TB) fault.PollResult {
	t.Helper()
	res, err := b.svc.Poll(context.Background())
	require.NoError(t, err)
	return res
}

type row struct {
	org                          *uuid.UUID
	device                       *uuid.UUID
	serial, productClass, status string
	code, message, clearedBy     string
	detail                       []byte
	retries                      int
	raised                       time.Time
	resolved                     *time.Time
}

func (b *testBundle) row(t testing.TB, gid string) row {
	t.Helper()
	var r row
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT org_id, device_id, serial, product_class, status, code, message,
		cleared_by, detail, retries, raised_at, resolved_at FROM cpe_faults WHERE genieacs_id = $1`, gid).
		Scan(&r.org, &r.device, &r.serial, &r.productClass, &r.status, &r.code, &r.message, &r.clearedBy, &r.detail, &r.retries, &r.raised, &r.resolved))
	return r
}

func (b *testBundle) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

func (b *testBundle) events(t testing.TB) int {
	t.Helper()
	return b.count(t, `SELECT count(*) FROM outbox_events WHERE topic = 'fault.raised'`)
}

// doc is a well-formed fault document as GenieACS writes it.
func doc(device, channel, code string, retries int, at string) string {
	return fmt.Sprintf(`{"_id":%q,"device":%q,"channel":%q,"timestamp":%q,"code":%q,"message":"Extension timed out","retries":%d,"provisions":"[]"}`,
		device+":"+channel, device, channel, at, code, retries)
}

func TestPollRaisesUpdatesAndResolves(t *testing.T) {
	t.Parallel()
	b := setup(t, 4)
	ctx := context.Background()
	dev, gid := b.owned(t, b.org, "HG8245H", 0)
	stranger := b.unowned(t, "Archer%20AX10", 0)
	mine := b.taskFault(t, gid)
	theirs := b.taskFault(t, stranger)

	res := b.poll(t)
	require.Equal(t, fault.PollResult{Seen: 2, Raised: 2}, res)
	r := b.row(t, mine)
	require.Equal(t, b.org.ID, *r.org)
	require.Equal(t, dev, *r.device)
	require.Equal(t, "active", r.status)
	require.Equal(t, "cwmp.9007", r.code)
	require.Equal(t, "HG8245H", r.productClass)
	require.NotEmpty(t, r.serial)
	require.Contains(t, string(r.detail), "setParameterValuesFault")
	u := b.row(t, theirs)
	require.Nil(t, u.org, "a device no organization owns: nobody sees its fault")
	require.Nil(t, u.device)
	require.Equal(t, "Archer AX10", u.productClass, "read from the GenieACS id")
	require.True(t, strings.HasPrefix(stranger, "") && strings.HasSuffix(stranger, u.serial), "serial %q from %s", u.serial, stranger)
	require.Equal(t, 1, b.events(t), "one event, for the owned device only")
	var payload string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT payload->>'genieacsId' FROM outbox_events WHERE topic = 'fault.raised'`).Scan(&payload))
	require.Equal(t, mine, payload)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'outbox_dispatch'`), "its dispatch is queued")

	t.Run("SeenAgainIsAnUpdate", func(t *testing.T) {
		res := b.poll(t)
		require.Equal(t, fault.PollResult{Seen: 2, Updated: 2}, res)
		require.Equal(t, 1, b.events(t), "no new event")
	})

	t.Run("RetriesAreRefreshed", func(t *testing.T) {
		// GenieACS retries a faulted task after its backoff (300 s,
		// compressed to 0.5 s here) and counts the retry on the fault.
		before := b.row(t, mine)
		require.Eventually(t, func() bool {
			fs, err := b.client.Faults(ctx, map[string]any{"_id": mine})
			return err == nil && len(fs) == 1 && fs[0].Retries == 1
		}, 30*time.Second, 20*time.Millisecond, "the retry needs the device's next session: seconds, longer on a loaded machine")
		res := b.poll(t)
		require.Equal(t, 2, res.Updated)
		after := b.row(t, mine)
		require.Equal(t, 1, after.retries)
		require.Equal(t, before.raised, after.raised, "still the same episode")
	})

	t.Run("GoneFromGenieACSIsResolved", func(t *testing.T) {
		b.deleteFault(t, theirs)
		res := b.poll(t)
		require.Equal(t, fault.PollResult{Seen: 1, Updated: 1, Resolved: 1}, res)
		r := b.row(t, theirs)
		require.Equal(t, "resolved", r.status)
		require.NotNil(t, r.resolved)
		require.Equal(t, "active", b.row(t, mine).status)
		require.Zero(t, b.count(t, `SELECT count(*) FROM outbox_events WHERE topic = 'fault.resolved'`),
			"no organization owns the device: no event")
	})

	t.Run("BackAfterResolvedIsRaisedAgain", func(t *testing.T) {
		id := gid + ":fyberpay-bootstrap"
		require.NoError(t, b.sim.PutFaultDocument(doc(gid, "fyberpay-bootstrap", "timeout", 0, "2026-01-02T03:04:05.000Z")))
		require.Equal(t, 1, b.poll(t).Raised)
		b.deleteFault(t, id)
		require.Equal(t, 1, b.poll(t).Resolved)
		require.Equal(t, "resolved", b.row(t, id).status)
		var org, gidEnded, status, clearedBy string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT org_id::text, payload->>'genieacsId', payload->>'status', COALESCE(payload->>'clearedBy', '')
			FROM outbox_events WHERE topic = 'fault.resolved'`).Scan(&org, &gidEnded, &status, &clearedBy))
		require.Equal(t, b.org.ID.String(), org)
		require.Equal(t, id, gidEnded)
		require.Equal(t, "resolved", status, "GenieACS no longer holds it")
		require.Empty(t, clearedBy)
		events := b.events(t)

		require.NoError(t, b.sim.PutFaultDocument(doc(gid, "fyberpay-bootstrap", "timeout", 0, "2026-02-03T04:05:06.000Z")))
		res := b.poll(t)
		require.Equal(t, 1, res.Raised)
		r := b.row(t, id)
		require.Equal(t, "active", r.status)
		require.Nil(t, r.resolved)
		require.Equal(t, time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), r.raised.UTC(), "a new episode")
		require.Equal(t, events+1, b.events(t))
	})

	t.Run("ClaimedLaterTheFaultFollowsTheDevice", func(t *testing.T) {
		require.NoError(t, b.sim.PutFaultDocument(doc(stranger, "default", "cwmp.9002", 0, "2026-01-02T03:04:05.000Z")))
		b.poll(t)
		id := stranger + ":default"
		require.Nil(t, b.row(t, id).org)
		d, _ := b.owned(t, b.other, "Archer%20AX10", 0)
		b.poll(t)
		r := b.row(t, id)
		require.Equal(t, b.other.ID, *r.org)
		require.Equal(t, d, *r.device)
	})
}

func TestPollSkipsMalformedDocuments(t *testing.T) {
	t.Parallel()
	b := setup(t, 2)
	ctx := context.Background()
	_, gid := b.owned(t, b.org, "HG8245H", 0)
	kept := gid + ":default"
	require.NoError(t, b.sim.PutFaultDocument(doc(gid, "default", "cwmp.9002", 0, "2026-01-02T03:04:05.000Z")))
	require.Equal(t, 1, b.poll(t).Raised)

	for _, d := range []string{
		`{"device":"X-Y-Z","code":"cwmp.9002"}`,                 // no _id
		`{"_id":"X-Y-Z:a","code":"cwmp.9002"}`,                  // no device
		`{"_id":5,"device":"X-Y-Z","code":"cwmp.9002"}`,         // _id of the wrong type
		`{"_id":"X-Y-Z:b","device":"A-B-C","code":"cwmp.9002"}`, // _id of another device
		`{"_id":"X-Y-Z:c","device":"X-Y-Z"}`,                    // no code
		// the active fault's own document, now with retries of the wrong type
		`{"_id":"` + kept + `","device":"` + gid + `","channel":"default","code":"cwmp.9002","retries":"many"}`,
	} {
		require.NoError(t, b.sim.PutFaultDocument(d))
	}
	// Storable after cleaning: NUL in the message, \u0000 in the detail.
	require.NoError(t, b.sim.PutFaultDocument(`{"_id":"`+gid+`:task_1","device":"`+gid+`","channel":"task_1","timestamp":"2026-01-02T03:04:05.000Z",`+
		`"code":"script.Error","message":"bad\u0000news","detail":{"stack":"a\u0000b"},"retries":0}`))

	res, err := b.svc.Poll(ctx)
	require.NoError(t, err, "a malformed document never aborts the pass")
	require.Equal(t, 7, res.Seen, "the active fault's document was replaced by its malformed one")
	require.Equal(t, 6, res.Skipped)
	require.Equal(t, 1, res.Raised)
	require.Zero(t, res.Resolved, "an active fault whose document is malformed is not resolved")
	require.Len(t, res.Skips, 6)
	reasons := []string{}
	for _, s := range res.Skips {
		reasons = append(reasons, s.Reason)
	}
	require.Contains(t, reasons, "no _id")
	require.Contains(t, reasons, "no device")
	require.Contains(t, reasons, "no code")
	require.Contains(t, reasons, "_id is not <device>:<channel>")
	require.Contains(t, strings.Join(reasons, "\n"), "cannot unmarshal")
	require.Equal(t, "active", b.row(t, kept).status)
	r := b.row(t, gid+":task_1")
	require.Equal(t, "badnews", r.message)
	require.Nil(t, r.detail)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM cpe_faults`))
}

// Not in parallel: it times a pass of 10,000 faults.
func TestPollStoresTenThousandFaultsInBatches(t *testing.T) {
	b := setup(t, 1)
	ctx := context.Background()
	// The pass reads the 10,000 in one answer, streamed while it writes
	// them: the client is bounded as in production (30 s), not by the
	// fixture's 5 s, which the race detector's slower pass came near.
	u, uerr := url.Parse(b.sim.NBIURL)
	require.NoError(t, uerr)
	c, cerr := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 30 * time.Second, Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
	require.NoError(t, cerr)
	b.svc = fault.NewService(b.pool, c, b.ins)
	const n = 10000
	// Half the faults belong to devices the organization owns.
	var owned []cpetest.Device
	for i := 0; i < n; i += 2 {
		owned = append(owned, cpetest.Device{OrgID: &b.org.ID, Serial: fmt.Sprintf("S%d", i), ProductClass: "HG8245H",
			GenieACSID: fmt.Sprintf("00E0FC-HG8245H-S%d", i)})
	}
	_, err := cpetest.InsertMany(ctx, b.pool, owned)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, b.sim.PutFaultDocument(doc(fmt.Sprintf("00E0FC-HG8245H-S%d", i), "default", "cwmp.9002", 0, "2026-01-02T03:04:05.000Z")))
	}
	start := time.Now()
	res := b.poll(t)
	took := time.Since(start)
	require.Equal(t, n+b.sim.Stats().Faults-n, res.Seen)
	require.Equal(t, n, res.Raised)
	require.Equal(t, n/2, b.count(t, `SELECT count(*) FROM cpe_faults WHERE org_id = $1`, b.org.ID))
	require.Equal(t, n/2, b.events(t))
	require.Less(t, took, 10*time.Second, "one pass of %d faults", n)
	t.Logf("first pass of %d faults: %s", n, took)

	start = time.Now()
	res = b.poll(t)
	require.Equal(t, n, res.Updated)
	t.Logf("second pass: %s", time.Since(start))
}

func TestClearDeletesInGenieACS(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{9}, 32)}})
	require.NoError(t, err)
	acts := action.NewService(b.pool, box, b.client, b.ins, cpe.NewService(b.pool, box, b.ins))
	admin := b.as(t, b.org, actor.RoleAdmin)
	dev, gid := b.owned(t, b.org, "HG8245H", 0)

	// A staff write the device refuses: the task fails with GenieACS's fault.
	tk, err := acts.SetParameters(ctx, admin, dev, action.ParameterInput{Parameters: []genieacs.ParameterValue{
		{Path: "InternetGatewayDevice.ManagementServer.PeriodicInformInterval", Value: "0"}}})
	require.NoError(t, err)
	require.Equal(t, action.StatusFailed, tk.Status, tk.Message)
	require.NotEmpty(t, tk.GenieACSTaskID)
	fid := gid + ":task_" + tk.GenieACSTaskID
	b.poll(t)
	p, err := b.svc.List(ctx, admin, fault.Filter{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	f := p.Items[0]
	require.Equal(t, fid, f.GenieACSID)
	require.True(t, f.Clearable())

	tech := b.as(t, b.org, actor.RoleTechnician)
	cleared, err := b.svc.Clear(ctx, tech, f.ID)
	require.NoError(t, err)
	require.Equal(t, fault.StatusCleared, cleared.Status)
	require.Equal(t, tech.Label, cleared.ClearedBy)
	require.NotNil(t, cleared.ResolvedAt)

	left, err := b.client.Faults(ctx, map[string]any{"_id": fid})
	require.NoError(t, err)
	require.Empty(t, left, "deleted in GenieACS")
	tasks, err := b.client.Tasks(ctx, map[string]any{"_id": tk.GenieACSTaskID})
	require.NoError(t, err)
	require.Empty(t, tasks, "GenieACS deleted the task with its fault")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.fault_clear' AND target_id = $1 AND actor_label = $2`,
		f.ID.String(), tech.Label))
	var ended struct{ ID, GenieACSID, Status, ClearedBy, Code, ResolvedAt string }
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT payload->>'id', payload->>'genieacsId', payload->>'status', payload->>'clearedBy',
		payload->>'code', payload->>'resolvedAt' FROM outbox_events WHERE topic = 'fault.resolved' AND org_id = $1`, b.org.ID).
		Scan(&ended.ID, &ended.GenieACSID, &ended.Status, &ended.ClearedBy, &ended.Code, &ended.ResolvedAt))
	require.Equal(t, f.ID.String(), ended.ID)
	require.Equal(t, fid, ended.GenieACSID)
	require.Equal(t, "cleared", ended.Status)
	require.Equal(t, tech.Label, ended.ClearedBy)
	require.Equal(t, "cwmp.9007", ended.Code)
	require.NotEmpty(t, ended.ResolvedAt)

	after, err := acts.Get(ctx, admin, tk.ID)
	require.NoError(t, err)
	require.Equal(t, action.StatusFailed, after.Status, "the task failed; it did not run")
	require.Empty(t, after.GenieACSTaskID, "no longer followed in GenieACS")
	require.Contains(t, after.Message, "cleared by "+tech.Label)

	// The next poll leaves it cleared (not resolved, not raised again).
	res := b.poll(t)
	require.Zero(t, res.Seen+res.Raised+res.Resolved)
	require.Equal(t, "cleared", b.row(t, fid).status)

	// Clearing again changes nothing.
	again, err := b.svc.Clear(ctx, admin, f.ID)
	require.NoError(t, err)
	require.Equal(t, tech.Label, again.ClearedBy)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.fault_clear'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM outbox_events WHERE topic = 'fault.resolved'`), "one event: it ended once")

	t.Run("ListsByStatus", func(t *testing.T) {
		for status, want := range map[string]int{"": 0, "active": 0, "cleared": 1, "resolved": 0, "all": 1} {
			p, err := b.svc.List(ctx, admin, fault.Filter{Status: status})
			require.NoError(t, err)
			require.Len(t, p.Items, want, status)
		}
	})
}

func TestTenancyAndRoles(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	_, gid := b.owned(t, b.org, "HG8245H", 0)
	_, otherGID := b.owned(t, b.other, "F660", 0)
	stranger := b.unowned(t, "Archer%20AX10", 0)
	for _, g := range []string{gid, otherGID, stranger} {
		require.NoError(t, b.sim.PutFaultDocument(doc(g, "default", "cwmp.9002", 0, "2026-01-02T03:04:05.000Z")))
	}
	require.Equal(t, 3, b.poll(t).Raised)
	admin, viewer, outsider := b.as(t, b.org, actor.RoleAdmin), b.as(t, b.org, actor.RoleViewer), b.as(t, b.other, actor.RoleAdmin)

	mine, err := b.svc.List(ctx, admin, fault.Filter{Status: "all"})
	require.NoError(t, err)
	require.Len(t, mine.Items, 1, "only the organization's own; never the unowned one")
	require.Equal(t, gid+":default", mine.Items[0].GenieACSID)
	theirs, err := b.svc.List(ctx, outsider, fault.Filter{Status: "all"})
	require.NoError(t, err)
	require.Len(t, theirs.Items, 1)
	require.Equal(t, otherGID+":default", theirs.Items[0].GenieACSID)
	groups, err := b.svc.Groups(ctx, outsider)
	require.NoError(t, err)
	require.Equal(t, []fault.Group{{Code: "cwmp.9002", ProductClass: "F660", Count: 1}}, groups)

	id := mine.Items[0].ID
	_, err = b.svc.Get(ctx, outsider, id)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.Clear(ctx, outsider, id)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.Clear(ctx, viewer, id)
	require.ErrorIs(t, err, actor.ErrForbidden)
	f, err := b.svc.Get(ctx, viewer, id)
	require.NoError(t, err, "viewers read")
	require.Equal(t, "active", f.Status)
	left, err := b.client.Faults(ctx, map[string]any{"_id": gid + ":default"})
	require.NoError(t, err)
	require.Len(t, left, 1, "nothing was deleted in GenieACS")
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t, 4)
	ctx := context.Background()
	hw, hwGID := b.owned(t, b.org, "HG8245H", 0)
	_, zteGID := b.owned(t, b.org, "F660", 0)
	for i, d := range []string{
		doc(hwGID, "default", "cwmp.9002", 0, "2026-01-01T00:00:00.000Z"),
		doc(hwGID, "fyberpay-bootstrap", "timeout", 0, "2026-01-02T00:00:00.000Z"),
		doc(zteGID, "default", "cwmp.9002", 0, "2026-01-03T00:00:00.000Z"),
	} {
		require.NoError(t, b.sim.PutFaultDocument(d), i)
	}
	b.poll(t)
	a := b.as(t, b.org, actor.RoleViewer)
	codes := func(f fault.Filter) []string {
		t.Helper()
		p, err := b.svc.List(ctx, a, f)
		require.NoError(t, err)
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Code+"@"+it.ProductClass)
		}
		return out
	}
	require.Equal(t, []string{"cwmp.9002@F660", "timeout@HG8245H", "cwmp.9002@HG8245H"}, codes(fault.Filter{}), "newest first")
	require.Equal(t, []string{"cwmp.9002@F660", "cwmp.9002@HG8245H"}, codes(fault.Filter{Code: "cwmp.9002"}))
	require.Equal(t, []string{"timeout@HG8245H", "cwmp.9002@HG8245H"}, codes(fault.Filter{Model: "HG8245H"}))
	require.Equal(t, []string{"timeout@HG8245H", "cwmp.9002@HG8245H"}, codes(fault.Filter{Device: &hw}))

	p, err := b.svc.List(ctx, a, fault.Filter{Limit: 2})
	require.NoError(t, err)
	require.Len(t, p.Items, 2)
	require.NotEmpty(t, p.Next)
	p2, err := b.svc.List(ctx, a, fault.Filter{Limit: 2, After: p.Next})
	require.NoError(t, err)
	require.Len(t, p2.Items, 1)
	require.Equal(t, "2026-01-01", p2.Items[0].RaisedAt.UTC().Format("2006-01-02"))
	require.Empty(t, p2.Next)

	groups, err := b.svc.Groups(ctx, a)
	require.NoError(t, err)
	require.Len(t, groups, 3)

	for name, f := range map[string]fault.Filter{
		"status": {Status: "open"}, "limit": {Limit: 501}, "after": {After: "nope"},
	} {
		_, err := b.svc.List(ctx, a, f)
		require.ErrorContains(t, err, name, name)
	}
}

// Text PostgreSQL refuses never fails the poll: a fault whose identifying
// fields hold a NUL is skipped with its reason (and its id never reaches a
// query); a message is cleaned; a detail jsonb would refuse (a lone
// surrogate as JSON.stringify writes it, bytes that are not UTF-8) is
// stored as encoding/json reads it, one with a NUL is dropped. The rest of
// the collection is stored, and the next poll succeeds too.
func TestPollSkipsOrCleansTextPostgreSQLRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	f := func(serial, id, extra string) string {
		dev := "00259E-HG8245H-" + serial
		if id == "" {
			id = dev + ":default"
		}
		return `{"_id":"` + id + `","device":"` + dev + `","channel":"default","timestamp":"2026-01-02T03:04:05.000Z",` +
			`"code":"cwmp.9002","message":"Internal error","retries":0` + extra + `}`
	}
	docs := []string{
		f("GOOD1", "", ""),
		f("MSG", "", `,"message":"bad\u0000news"`),
		f("ID", `00259E-HG8245H-ID:def\u0000ault`, ""),
		f("CODE", "", `,"code":"cwmp.\u00009002"`),
		f("CHAN", "", `,"channel":"def\u0000ault"`),
		f("UNDEC", `00259E-HG8245H-UNDEC:x\u0000`, `,"retries":"many"`), // undecodable, its id unstorable
		f("SURR", "", `,"detail":{"stack":"a\ud800b"}`),
		f("RAW", "", ",\"detail\":{\"stack\":\"a\xffb\"}"),
		f("ESC", "", `,"detail":{"stack":"a\\u0000b","n":12345678901234567890}`),
		f("NUL", "", `,"detail":{"st\u0000ack":"x"}`),
		f("GOOD2", "", `,"detail":{"stack":"ok"}`),
	}
	nbi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Join(docs, ",")+"]")
	}))
	t.Cleanup(nbi.Close)
	u, _ := url.Parse(nbi.URL)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 10 * time.Second, Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
	require.NoError(t, err)
	b := &testBundle{pool: pool, svc: fault.NewService(pool, c, ins)}

	res, err := b.svc.Poll(ctx)
	require.NoError(t, err, "no document fails the poll")
	require.Equal(t, 11, res.Seen)
	require.Equal(t, 4, res.Skipped)
	reasons := map[string]string{}
	for _, s := range res.Skips {
		reasons[s.ID] = s.Reason
	}
	require.Equal(t, "nul byte in _id", reasons["00259E-HG8245H-ID:def\x00ault"])
	require.Equal(t, "nul byte in code", reasons["00259E-HG8245H-CODE:default"])
	require.Equal(t, "nul byte in channel", reasons["00259E-HG8245H-CHAN:default"])
	require.Contains(t, reasons["00259E-HG8245H-UNDEC:x\x00"], "cannot unmarshal")
	require.Equal(t, 7, res.Raised)
	require.Equal(t, 7, b.count(t, `SELECT count(*) FROM cpe_faults`))
	gid := func(serial string) string { return "00259E-HG8245H-" + serial + ":default" }
	require.Equal(t, "badnews", b.row(t, gid("MSG")).message)
	require.JSONEq(t, `{"stack":"a\ufffdb"}`, string(b.row(t, gid("SURR")).detail))
	require.JSONEq(t, `{"stack":"a\ufffdb"}`, string(b.row(t, gid("RAW")).detail))
	require.JSONEq(t, `{"stack":"a\\u0000b","n":12345678901234567890}`, string(b.row(t, gid("ESC")).detail), "an escaped backslash is no NUL")
	require.Nil(t, b.row(t, gid("NUL")).detail)
	require.JSONEq(t, `{"stack":"ok"}`, string(b.row(t, gid("GOOD2")).detail))

	again, err := b.svc.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, 7, again.Updated)
	require.Equal(t, 4, again.Skipped)
	require.Zero(t, again.Resolved)
}
