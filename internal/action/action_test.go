package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/jobs/jobstest"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

type bundle struct {
	pool   *pgxpool.Pool
	box    *secret.Box
	org    org.Org
	sim    *acssim.TestServer
	client *genieacs.Client
	svc    *action.Service
	cpe    *cpe.Service
	sync   *devsync.Service
	jobs   *river.Client[pgx.Tx] // the worker client
}

// setup runs a simulator and a River worker following tasks against real
// Postgres. Device time runs 60 times faster, but the devices inform on
// their own only once a day (every 24 min of wall time, the first at 72 s
// at the earliest): no periodic session (and the health provision it runs)
// lands between a test's steps at a moment that depends on the machine's
// load. A test that needs a device's next session runs it (sim.Inform).
func setup(t testing.TB, devices int) *bundle { return setupThrough(t, devices, nil) }

// setupThrough is setup whose service reaches GenieACS through the handler
// through wraps around the simulator's NBI (a lossy network); the tests'
// own client goes straight.
func setupThrough(t testing.TB, devices int, through func(nbi http.Handler) http.Handler) *bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	logger := slog.New(slog.DiscardHandler)
	sim, c := testfactory.GenieACS(t, acssim.Options{Devices: devices, Seed: 5, SessionDelay: time.Millisecond,
		OnlineThreshold: 300 * time.Millisecond, TimeCompression: 60, InformInterval: 24 * time.Hour}, testfactory.GenieACSOpts{Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
	cfg := &config.Config{EncryptionKeys: []config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{9}, 32)}}, BulkRate: 200,
		PasswordHashMemoryKiB: testfactory.FastHashKiB, WebhookAllowPrivate: true}
	appClient := c
	if through != nil {
		target, err := url.Parse(sim.NBIURL)
		require.NoError(t, err)
		proxy := httptest.NewServer(through(httputil.NewSingleHostReverseProxy(target)))
		t.Cleanup(proxy.Close)
		pu, _ := url.Parse(proxy.URL)
		appClient, err = genieacs.New(genieacs.Config{NBIURL: pu, Timeout: 5 * time.Second, Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
		require.NoError(t, err)
	}
	a, err := app.New(cfg, pool, app.Options{Logger: logger, GenieACS: appClient,
		TaskFollowEvery: 200 * time.Millisecond, InlineWait: 5 * time.Second, FSURL: sim.FSURL})
	require.NoError(t, err)
	d := a.Workers() // production's workers, polling fast; no periodic sync or fault poll
	d.Fast, d.Sync, d.Faults = true, nil, nil
	wc, err := jobs.NewWorkerClient(d)
	require.NoError(t, err)
	require.NoError(t, wc.Start(ctx))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })
	jobstest.Scheduler(t, pool) // follow jobs run 200 ms after their task, not at River's next 5 s scheduler run
	box, svc, cs := a.Box, a.Actions, a.CPE
	o := testfactory.Org(ctx, t, pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme")})
	return &bundle{pool: pool, box: box, org: o, sim: sim, client: c, svc: svc, cpe: cs, sync: a.Sync, jobs: wc}
}

func (b *bundle) as(t testing.TB, role actor.Role) actor.Actor {
	t.Helper()
	u := testfactory.User(context.Background(), t, b.pool, b.org, &testfactory.UserOpts{Role: &role})
	return testfactory.Actor(u)
}

// stranger is an owner of another organization ("beta").
func (b *bundle) stranger(t testing.TB) actor.Actor {
	t.Helper()
	ctx := context.Background()
	other := testfactory.Org(ctx, t, b.pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("beta")})
	owner := actor.RoleOwner
	return testfactory.Actor(testfactory.User(ctx, t, b.pool, other, &testfactory.UserOpts{Role: &owner}))
}

// owned registers the n-th simulated device of a model as the org's.
func (b *bundle) owned(t testing.TB, productClass string, n int) (uuid.UUID, string) {
	t.Helper()
	return testfactory.GenieACSDevice(context.Background(), t, b.pool, b.client, b.org, b.sim.DeviceIDs(), productClass, n)
}

// wait polls a task until it reaches want (30 s at most).
func (b *bundle) wait(t *testing.T, a actor.Actor, id uuid.UUID, want string) action.Task {
	t.Helper()
	var tk action.Task
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		tk, err = b.svc.Get(context.Background(), a, id)
		require.NoError(c, err)
		require.Equal(c, want, tk.Status, "task %s is %s (%s)", tk.Kind, tk.Status, tk.Message)
	}, 30*time.Second, 20*time.Millisecond)
	return tk
}

// jobRan waits for the first end of an attempt (completed, failed, snoozed
// or cancelled) of the follow job of task id, from a subscription made
// before the task was recorded.
func jobRan(t *testing.T, events <-chan *river.Event, id uuid.UUID) *river.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			var args action.TaskArgs
			require.NoError(t, json.Unmarshal(ev.Job.EncodedArgs, &args))
			if ev.Job.Kind == (action.TaskArgs{}).Kind() && args.TaskID == id {
				return ev
			}
		case <-timeout:
			t.Fatalf("the follow job of task %s did not run within 30 s", id)
		}
	}
}

func (b *bundle) value(t *testing.T, gid, path string) string {
	t.Helper()
	d, err := b.client.GetDevice(context.Background(), gid, []string{path})
	require.NoError(t, err)
	return d.String(path)
}

func TestWiFiLandsAtEachModelsPaths(t *testing.T) {
	t.Parallel()
	b := setup(t, 6)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	for _, tc := range []struct{ model, ssid, key string }{
		{"HG8245H", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"},
		{"Archer AX10", "Device.WiFi.SSID.1.SSID", "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"},
	} {
		t.Run(tc.model, func(t *testing.T) {
			id, gid := b.owned(t, strings.ReplaceAll(tc.model, " ", "%20"), 0)
			tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Kibanda-" + tc.model, Password: "s3cret-pass", Band: "2.4GHz"})
			require.NoError(t, err)
			require.Equal(t, action.StatusDone, tk.Status, tk.Message)
			require.Equal(t, "Kibanda-"+tc.model, b.value(t, gid, tc.ssid))
			key, exists := b.sim.Sim.Value(gid, tc.key)
			require.True(t, exists)
			require.Equal(t, "s3cret-pass", key, "the key lands at the model's key path")
			require.NotContains(t, tk.Summary, "s3cret")
			var n int
			require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_wifi WHERE device_id = $1`, id).Scan(&n))
			require.Equal(t, 1, n, "the desired Wi-Fi is kept for identify")
		})
	}
}

func TestOfflineDeviceQueuedThenDoneAfterItsNextInform(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	id, gid := b.owned(t, "F660", 0)
	require.NoError(t, b.sim.Sim.SetOnline(gid, false))
	tk, err := b.svc.Reboot(ctx, a, id)
	require.NoError(t, err)
	require.Equal(t, action.StatusQueued, tk.Status)
	require.Equal(t, "GenieACS could not reach the device just now (no session after its connection request); GenieACS runs it at the device's next inform", tk.Message)
	require.NotEmpty(t, tk.GenieACSTaskID)
	require.NoError(t, b.sim.Sim.SetOnline(gid, true))
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"), "its next inform")
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.NotNil(t, done.FinishedAt)
	var events int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.task_finished' AND payload->>'taskId' = $1`, tk.ID.String()).Scan(&events))
	require.Equal(t, 1, events)
}

func TestSetOnAMissingPathFailsNamingIt(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	id, gid := b.owned(t, "HG8245H", 0)
	path := "InternetGatewayDevice.X_FYBER_Nothing.Enable"
	// Read first: the device has no such parameter, nothing is sent.
	_, err := b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: true}}})
	require.ErrorContains(t, err, "the device has no parameter "+path)
	// Not woken (no read first): GenieACS skips it without a word at the
	// device's next session, and the read-back names it.
	no := false
	tk, err := b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: true}}, ConnectionRequest: &no})
	require.NoError(t, err)
	require.Equal(t, action.StatusQueued, tk.Status)
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	tk = b.wait(t, a, tk.ID, action.StatusFailed)
	require.Contains(t, tk.Message, path)

	// A real one is written and read back.
	iv := "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
	tk, err = b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: iv, Value: "600"}}})
	require.NoError(t, err)
	require.Equal(t, action.StatusDone, tk.Status, tk.Message)
	require.Equal(t, "600", b.value(t, gid, iv))

	// Technicians may not.
	_, err = b.svc.SetParameters(ctx, b.as(t, actor.RoleTechnician), id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: iv, Value: "600"}}})
	require.ErrorIs(t, err, actor.ErrForbidden)
}

func TestPingAndSpeedTestReportResults(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	for _, model := range []string{"HG8245H", "Archer%20AX10"} {
		id, _ := b.owned(t, model, 0)
		tk, err := b.svc.SpeedTest(ctx, a, id, action.SpeedTestInput{})
		require.NoError(t, err)
		done := b.wait(t, a, tk.ID, action.StatusDone)
		require.Contains(t, done.Message, "Mbps")
		d, err := b.svc.Diagnostics(ctx, a, id)
		require.NoError(t, err)
		require.NotNil(t, d.Download.Mbps, model)
		require.Greater(t, *d.Download.Mbps, 0.0)

		tk, err = b.svc.Ping(ctx, a, id, action.PingInput{Host: "8.8.8.8", Repetitions: 4})
		require.NoError(t, err)
		done = b.wait(t, a, tk.ID, action.StatusDone)
		require.Contains(t, done.Message, "replies")
		d, err = b.svc.Diagnostics(ctx, a, id)
		require.NoError(t, err)
		require.NotNil(t, d.Ping.Success)
		require.Equal(t, "8.8.8.8", d.Ping.Host)
	}
}

// TestUploadTestReportsResults: a TR-143 upload test on TR-098 and TR-181
// ends done with the upstream rate, read from the device's results; bad
// input is a 422 naming the field before anything is sent; viewers may
// not.
func TestUploadTestReportsResults(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	var id uuid.UUID
	for _, model := range []string{"HG8245H", "Archer%20AX10"} {
		id, _ = b.owned(t, model, 0)
		tk, err := b.svc.UploadTest(ctx, a, id, action.UploadTestInput{UploadURL: "http://speed.isp.example/upload", MiB: 4})
		require.NoError(t, err)
		require.Equal(t, "upload test of 4 MiB to speed.isp.example/upload", tk.Summary)
		done := b.wait(t, a, tk.ID, action.StatusDone)
		require.Regexp(t, `^\d+\.\d Mbps up$`, done.Message, model)
		d, err := b.svc.Diagnostics(ctx, a, id)
		require.NoError(t, err)
		require.NotNil(t, d.Upload.Mbps, model)
		require.Greater(t, *d.Upload.Mbps, 0.0)
		require.Equal(t, int64(4<<20), *d.Upload.TestFileLength)
	}
	for _, tc := range []struct {
		in         action.UploadTestInput
		field, msg string
	}{
		{action.UploadTestInput{}, "uploadUrl", "is required: an HTTP server that takes the CPE's PUT"},
		{action.UploadTestInput{UploadURL: "ftp://x/y"}, "uploadUrl", "must be an http:// or https:// URL"},
		{action.UploadTestInput{UploadURL: "http://x/y", MiB: 2048}, "mib", "must be between 1 and 1024"},
	} {
		_, err := b.svc.UploadTest(ctx, a, id, tc.in)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Equal(t, tc.msg, ve[tc.field])
	}
	_, err := b.svc.UploadTest(ctx, b.as(t, actor.RoleViewer), id, action.UploadTestInput{UploadURL: "http://x/y"})
	require.ErrorIs(t, err, actor.ErrForbidden)
}

func TestBulkRebootOfAFilter(t *testing.T) {
	t.Parallel()
	b := setup(t, 12)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	for i := 0; i < 4; i++ {
		b.owned(t, "HG8245H", i)
	}
	bk, err := b.svc.StartBulk(ctx, a, action.BulkInput{Action: action.KindReboot, Filter: &action.BulkFilter{Model: "HG8245H"}})
	require.NoError(t, err)
	require.Equal(t, 4, bk.Total)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		bk, err = b.svc.GetBulk(ctx, a, bk.ID)
		require.NoError(c, err)
		require.NotEqual(c, "running", bk.Status)
	}, 30*time.Second, 20*time.Millisecond)
	require.Equal(t, "done", bk.Status)
	require.Equal(t, 100, bk.Percent())
	require.Equal(t, 4, bk.Counts[action.StatusDone]+bk.Counts[action.StatusQueued])

	_, err = b.svc.StartBulk(ctx, a, action.BulkInput{Action: action.KindTagAdd, Tag: "vip", Filter: &action.BulkFilter{Model: "HG8245H"}})
	require.ErrorIs(t, err, actor.ErrForbidden, "technicians change no tags in bulk")
	_, err = b.svc.StartBulk(ctx, a, action.BulkInput{Action: action.KindFactoryReset, Filter: &action.BulkFilter{}})
	require.Error(t, err)
}

func TestWiFiBothBandsAndARawKey(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.owned(t, "Archer%20AX10", 0)
	psk := strings.Repeat("ab01", 16)
	tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Duka la Mama", Password: psk})
	require.NoError(t, err)
	require.Equal(t, action.StatusDone, tk.Status, tk.Message)
	for _, p := range []string{"Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.3.SSID"} {
		require.Equal(t, "Duka la Mama", b.value(t, gid, p), "both bands (TP-Link's 5 GHz is SSID.3)")
	}
	key, ok := b.sim.Sim.Value(gid, "Device.WiFi.AccessPoint.1.Security.PreSharedKey")
	require.True(t, ok)
	require.Equal(t, psk, key, "64 hex digits are a raw PSK, not a passphrase")

	// The key is nowhere in clear: not in the task row, not in the request
	// (sealed), not in the audit log.
	var summary, message, checks string
	var sealed []byte
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT summary, message, checks::text, request_enc FROM cpe_tasks WHERE id = $1`, tk.ID).
		Scan(&summary, &message, &checks, &sealed))
	for _, s := range []string{summary, message, checks, string(sealed)} {
		require.NotContains(t, s, psk)
	}
	var audits int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE summary LIKE '%'||$1||'%'`, psk).Scan(&audits))
	require.Zero(t, audits)
}

func TestACWMPFaultFailsNamingTheParameter(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleOwner)
	id, _ := b.owned(t, "F660", 0)
	path := "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
	tk, err := b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: "0"}}})
	require.NoError(t, err)
	require.Equal(t, action.StatusFailed, tk.Status)
	require.Equal(t, "cwmp.9007", tk.FaultCode, "the CPE refuses an interval of 0")
	require.Contains(t, tk.Message, path)
	require.NotEmpty(t, tk.GenieACSTaskID, "GenieACS keeps the faulted task (and retries it)")

	// Cancelling deletes it from GenieACS.
	tk, err = b.svc.Cancel(ctx, a, tk.ID)
	require.NoError(t, err)
	require.Equal(t, action.StatusCancelled, tk.Status)
	left, err := b.client.Tasks(ctx, map[string]any{"_id": tk.GenieACSTaskID})
	require.NoError(t, err)
	require.Empty(t, left)
	_, err = b.svc.Cancel(ctx, a, tk.ID)
	require.Error(t, err, "a cancelled task cannot be cancelled again")
}

// TestAReadOnlyWriteFailsOnTheReadBack: GenieACS learns the parameter is
// read-only when it lists its parent, sends nothing and calls the task
// done; only reading the value back shows the write did not happen. Once
// GenieACS knows, the next attempt is refused before anything is sent.
func TestAReadOnlyWriteFailsOnTheReadBack(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleOwner)
	id, gid := b.owned(t, "F660", 0)
	path := "InternetGatewayDevice.DeviceInfo.SoftwareVersion"
	no := false // not woken: nothing is read first, the task waits for the device's session
	tk, err := b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: "V9.9"}}, ConnectionRequest: &no})
	require.NoError(t, err)
	require.Equal(t, action.StatusQueued, tk.Status)
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	tk = b.wait(t, a, tk.ID, action.StatusFailed)
	require.Empty(t, tk.FaultCode, "no CWMP fault: GenieACS sent nothing")
	require.Contains(t, tk.Message, "did not take the new value")
	require.Empty(t, tk.GenieACSTaskID, "nothing left in GenieACS to follow")
	require.False(t, tk.Cancellable())

	d, err := b.client.GetDevice(ctx, gid, []string{path})
	require.NoError(t, err)
	require.NotNil(t, d.Params[path].Writable)
	require.False(t, *d.Params[path].Writable)
	_, err = b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: path, Value: "V9.9"}}})
	require.ErrorContains(t, err, "read-only")
}

func TestQueuedTaskExpiresThenRetrySendsItAgain(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	b.svc.Lifetime = 2 * time.Second
	id, gid := b.owned(t, "HG8245H", 0)
	require.NoError(t, b.sim.Sim.SetOnline(gid, false))
	tk, err := b.svc.Refresh(ctx, a, id)
	require.NoError(t, err)
	require.Equal(t, action.StatusQueued, tk.Status)
	expired := b.wait(t, a, tk.ID, action.StatusExpired)
	left, err := b.client.Tasks(ctx, map[string]any{"_id": expired.GenieACSTaskID})
	require.NoError(t, err)
	require.Empty(t, left, "an expired task is deleted from GenieACS, so the device never runs it late")

	b.svc.Lifetime = time.Hour
	require.NoError(t, b.sim.Sim.SetOnline(gid, true))
	tk, err = b.svc.Retry(ctx, a, tk.ID)
	require.NoError(t, err)
	if tk.Status != action.StatusDone {
		tk = b.wait(t, a, tk.ID, action.StatusDone)
	}
	require.NotEqual(t, expired.GenieACSTaskID, tk.GenieACSTaskID)
}

func TestGenieACSDownTaskWaitsThenLands(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	id, _ := b.owned(t, "HG8245H", 0)
	b.sim.Sim.SetFailure(acssim.Failure{Status: 503})
	events, stop := b.jobs.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed, river.EventKindJobCancelled)
	defer stop()
	tk, err := b.svc.Reboot(ctx, a, id)
	require.NoError(t, err, "the task is recorded even though GenieACS is down")
	require.Equal(t, action.StatusPending, tk.Status)
	require.Contains(t, tk.Message, "GenieACS")
	// The follow job tries to send it while GenieACS is still down, and
	// comes back later: the task is still pending after that attempt.
	ev := jobRan(t, events, tk.ID)
	require.Equal(t, river.EventKindJobSnoozed, ev.Kind, "the follow job comes back later")
	tk, err = b.svc.Get(ctx, a, tk.ID)
	require.NoError(t, err)
	require.Equal(t, action.StatusPending, tk.Status)
	b.sim.Sim.SetFailure(acssim.Failure{})
	b.wait(t, a, tk.ID, action.StatusDone)
}

// TestWaitingTaskSaysGenieACSIsBackWhenItIs: a task waiting for an offline
// device says GenieACS is not answering while it is not, and stops saying
// so as soon as it answers again (it kept the message ~18 minutes on a real
// GenieACS).
func TestWaitingTaskSaysGenieACSIsBackWhenItIs(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	id, gid := b.owned(t, "HG8245H", 0)
	require.NoError(t, b.sim.Sim.SetOnline(gid, false))
	tk, err := b.svc.Refresh(ctx, a, id)
	require.NoError(t, err)
	b.wait(t, a, tk.ID, action.StatusQueued) // sent at once, or by its job on a busy machine
	message := func(want string) {
		t.Helper()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			got, err := b.svc.Get(ctx, a, tk.ID)
			require.NoError(c, err)
			require.Equal(c, action.StatusQueued, got.Status)
			require.Equal(c, want, got.Message)
		}, 30*time.Second, 20*time.Millisecond)
	}
	b.sim.Sim.SetFailure(acssim.Failure{Status: 503})
	message("GenieACS did not answer; trying again shortly")
	b.sim.Sim.SetFailure(acssim.Failure{})
	message("queued in GenieACS; it runs at the device's next session")
	require.NoError(t, b.sim.Sim.SetOnline(gid, true))
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	b.wait(t, a, tk.ID, action.StatusDone)
}

func TestOtherOrganizationsAndRoles(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	id, _ := b.owned(t, "HG8245H", 0)
	stranger := b.stranger(t)
	viewer := b.as(t, actor.RoleViewer)
	wifi := action.WiFiInput{SSID: "x", Password: "12345678"}
	calls := map[string]func(actor.Actor) error{
		"wifi":   func(a actor.Actor) error { _, err := b.svc.SetWiFi(ctx, a, id, wifi); return err },
		"reboot": func(a actor.Actor) error { _, err := b.svc.Reboot(ctx, a, id); return err },
		"reset":  func(a actor.Actor) error { _, err := b.svc.FactoryReset(ctx, a, id); return err },
		"ping": func(a actor.Actor) error {
			_, err := b.svc.Ping(ctx, a, id, action.PingInput{Host: "1.1.1.1"})
			return err
		},
		"speed": func(a actor.Actor) error { _, err := b.svc.SpeedTest(ctx, a, id, action.SpeedTestInput{}); return err },
		"diag":  func(a actor.Actor) error { _, err := b.svc.Diagnostics(ctx, a, id); return err },
		"bulk": func(a actor.Actor) error {
			_, err := b.svc.StartBulk(ctx, a, action.BulkInput{Action: action.KindReboot, IDs: []uuid.UUID{id}})
			return err
		},
	}
	for name, call := range calls {
		require.ErrorIs(t, call(stranger), db.ErrNotFound, name+": another organization's device is not found")
		if name != "diag" {
			require.ErrorIs(t, call(viewer), actor.ErrForbidden, name+": viewers only read")
		}
	}
	tk, err := b.svc.Reboot(ctx, b.as(t, actor.RoleTechnician), id)
	require.NoError(t, err)
	_, err = b.svc.Get(ctx, stranger, tk.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.Cancel(ctx, stranger, tk.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
	p, err := b.svc.List(ctx, stranger, action.Filter{})
	require.NoError(t, err)
	require.Empty(t, p.Items)
}
