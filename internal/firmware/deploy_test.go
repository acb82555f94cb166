package firmware

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// fleet is an organization with n Huawei HG8245H devices in a simulator
// whose clock runs 1000 times faster (a flash takes 45 ms), and the
// service with an image for them.
type fleet struct {
	s    *Service
	sim  *acssim.TestServer
	pool *pgxpool.Pool
	a    actor.Actor
	o    org.Org
	gids []string
}

func newFleet(t *testing.T, n int) *fleet {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim, acs := testfactory.GenieACS(t, acssim.Options{Devices: 1, Seed: 3, TimeCompression: 1000, SessionDelay: time.Millisecond},
		testfactory.GenieACSOpts{})
	ins, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(t, err)
	o := testfactory.Org(ctx, t, pool, nil)
	a := actor.System(o.ID)
	a.Label = "test"
	f := &fleet{s: NewService(pool, acs, ins), sim: sim, pool: pool, a: a, o: o}
	for i := range n {
		gid, err := sim.AddDevice(acssim.ProfileHuaweiHG8245H, fmt.Sprintf("48575443F%07d", i))
		require.NoError(t, err)
		require.NoError(t, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
		testfactory.RegisterGenieACSDevice(ctx, t, pool, acs, o, gid)
		f.gids = append(f.gids, gid)
	}
	return f
}

func (f *fleet) upload(t *testing.T, filename, version string) {
	t.Helper()
	data := bytes.Repeat([]byte{0xa5}, 64<<10)
	_, err := f.s.Upload(context.Background(), f.a, Meta{Filename: filename, OUI: "00259E", ProductClass: "HG8245H", Version: version},
		bytes.NewReader(data), int64(len(data)), 1<<20)
	require.NoError(t, err)
}

// run steps the deployment until it needs no more steps, and returns the
// most devices in flight seen after any step.
func (f *fleet) run(t *testing.T, id uuid.UUID) int {
	t.Helper()
	most := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		again, err := f.s.advance(context.Background(), id, time.Now())
		require.NoError(t, err)
		var flying int
		require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT count(*) FROM firmware_deployment_devices
			WHERE deployment_id = $1 AND state = ANY($2)`, id, inFlight).Scan(&flying))
		most = max(most, flying)
		if again == 0 {
			return most
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deployment did not finish in 60 s")
		}
		<-time.After(20 * time.Millisecond) // the simulator's devices flash and reboot meanwhile
	}
}

func (f *fleet) get(t *testing.T, id uuid.UUID) Deployment {
	t.Helper()
	d, err := f.s.GetDeployment(context.Background(), f.a, id)
	require.NoError(t, err)
	return d
}

func intp(n int) *int { return &n }

func TestDeployWavesCapUpgrade(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 12)
	f.upload(t, "HG8245H_V9.bin", "V9")
	ctx := context.Background()

	dry, err := f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V9.bin", Model: "HG8245H", Waves: []int{10, 50, 100}, DryRun: true})
	require.NoError(t, err)
	require.Equal(t, []int{2, 4, 6}, dry.Waves, "ceil(10 %), then up to 50 %, then the rest")
	require.Equal(t, 12, dry.Targeted)
	require.Len(t, dry.Devices, 12)
	require.Zero(t, countRows(t, f.pool, `SELECT count(*) FROM firmware_deployments`), "a dry run stores nothing")

	res, err := f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V9.bin", Model: "HG8245H", Waves: []int{10, 50, 100}, MaxInFlight: intp(3)})
	require.NoError(t, err)
	require.Equal(t, 12, res.Targeted)
	most := f.run(t, *res.DeploymentID)
	require.LessOrEqual(t, most, 3, "never more than maxInFlight between task sent and outcome")

	d := f.get(t, *res.DeploymentID)
	require.Equal(t, "completed", d.State)
	require.Equal(t, 12, d.Counts.States["upgraded"])
	require.Equal(t, []int{2, 4, 6}, []int{d.Counts.Waves[0].Devices, d.Counts.Waves[1].Devices, d.Counts.Waves[2].Devices})
	for _, gid := range f.gids {
		require.Equal(t, 1, f.sim.Downloads(gid), "one download per device")
		v, _ := f.sim.Value(gid, "InternetGatewayDevice.DeviceInfo.SoftwareVersion")
		require.Equal(t, "V9", v)
	}
	require.Equal(t, 2, countRows(t, f.pool, `SELECT count(*) FROM outbox_events WHERE topic IN ('firmware.deployment.started', 'firmware.deployment.completed')`))

	// Once the sync brought the devices' new version, nothing is left to
	// deploy (onlyOutdated).
	rows, err := f.pool.Query(ctx, `SELECT device_id FROM firmware_deployment_devices WHERE deployment_id = $1`, *res.DeploymentID)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	require.NoError(t, err)
	require.NoError(t, cpetest.SetSoftwareVersion(ctx, f.pool, ids, "V9"))
	_, err = f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V9.bin", Model: "HG8245H"})
	require.ErrorContains(t, err, "already run V9")
}

func TestDeployHaltsOnFailures(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 10)
	f.upload(t, "HG8245H_V10"+acssim.ImageFailMarker+".bin", "V10")
	res, err := f.s.Deploy(context.Background(), f.a, DeployInput{Filename: "HG8245H_V10" + acssim.ImageFailMarker + ".bin", Model: "HG8245H",
		Waves: []int{20, 100}, MaxInFlight: intp(5), Halt: &Halt{FailureRatePercent: intp(10), MinDevices: intp(1)}})
	require.NoError(t, err)
	f.run(t, *res.DeploymentID)
	d := f.get(t, *res.DeploymentID)
	require.Equal(t, "halted", d.State)
	require.Contains(t, d.HaltReason, "wave 1")
	require.NotEmpty(t, d.Failing)
	require.Contains(t, d.Failing[0].Detail, "cwmp.9010")
	sent := 0
	for _, gid := range f.gids {
		sent += f.sim.Downloads(gid)
	}
	require.LessOrEqual(t, sent, 2, "only the first wave (2 of 10) got the image")
	require.Equal(t, 8, d.Counts.States["waiting"], "the rest of the fleet received no task")
	require.Zero(t, f.sim.Stats().TasksPending, "no download left queued in GenieACS")
	require.Equal(t, 1, countRows(t, f.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'firmware.deployment.halted'`))
}

// A step that crashed after GenieACS took a device's task but before the
// device was recorded as sent: the next step finds the task (or its
// download) in GenieACS and never sends a second one.
func TestDeployResumesWithoutSecondDownload(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 4)
	f.upload(t, "HG8245H_V11.bin", "V11")
	for _, gid := range f.gids[:2] {
		require.NoError(t, f.sim.SetOnline(gid, false)) // their tasks stay queued
	}
	ctx := context.Background()
	res, err := f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V11.bin", Model: "HG8245H", MaxInFlight: intp(4)})
	require.NoError(t, err)
	id := *res.DeploymentID
	_, err = f.s.advance(ctx, id, time.Now())
	require.NoError(t, err)
	// The crash: every device sent so far is "sending" again.
	_, err = f.pool.Exec(ctx, `UPDATE firmware_deployment_devices SET state = 'sending', task_id = '' WHERE deployment_id = $1 AND state <> 'upgraded'`, id)
	require.NoError(t, err)
	_, err = f.s.advance(ctx, id, time.Now())
	require.NoError(t, err)
	states := map[string]string{}
	rows, err := f.pool.Query(ctx, `SELECT genieacs_id, state FROM firmware_deployment_devices WHERE deployment_id = $1`, id)
	require.NoError(t, err)
	for rows.Next() {
		var gid, st string
		require.NoError(t, rows.Scan(&gid, &st))
		states[gid] = st
	}
	for _, gid := range f.gids[:2] {
		require.Equal(t, "sent", states[gid], "its queued task was found")
	}
	for _, gid := range f.gids[:2] {
		require.NoError(t, f.sim.SetOnline(gid, true))
		require.NoError(t, f.sim.Inform(ctx, gid, "2 PERIODIC"))
	}
	f.run(t, id)
	require.Equal(t, 4, f.get(t, id).Counts.States["upgraded"])
	for _, gid := range f.gids {
		require.Equal(t, 1, f.sim.Downloads(gid), "%s downloaded once", gid)
	}
}

func TestDeployBadInput(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 1)
	f.upload(t, "HG8245H_V12.bin", "V12")
	ctx := context.Background()
	for _, tt := range []struct {
		in    DeployInput
		field string
	}{
		{DeployInput{Model: "HG8245H"}, "filename"},
		{DeployInput{Filename: "nope.bin", Model: "HG8245H"}, "filename"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "F660"}, "model"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Waves: []int{50, 90}}, "waves"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Waves: []int{50, 20, 100}}, "waves"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", MaxInFlight: intp(0)}, "maxInFlight"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Window: &Window{From: "01:00", To: "05:00", Timezone: "Mars/Olympus"}}, "window.timezone"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Window: &Window{From: "25:00", To: "05:00", Timezone: "UTC"}}, "window.from"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Window: &Window{Days: []string{"someday"}, From: "01:00", To: "05:00", Timezone: "UTC"}}, "window.days"},
		{DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H", Halt: &Halt{FailureRatePercent: intp(101)}}, "halt.failureRatePercent"},
	} {
		_, err := f.s.Deploy(ctx, f.a, tt.in)
		require.ErrorContains(t, err, tt.field, "%+v", tt.in)
	}
	viewer := f.a
	viewer.Role = actor.RoleTechnician
	_, err := f.s.Deploy(ctx, viewer, DeployInput{Filename: "HG8245H_V12.bin", Model: "HG8245H"})
	require.ErrorIs(t, err, actor.ErrForbidden)
	require.Zero(t, countRows(t, f.pool, `SELECT count(*) FROM firmware_deployments`))
}

func TestWindow(t *testing.T) {
	t.Parallel()
	d := deployment{WindowDays: []int{1, 2, 3, 4, 5}, WindowFrom: "22:00", WindowTo: "04:00", WindowTZ: "Africa/Nairobi"} // weeknights, UTC+3
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return ts
	}
	open, _ := d.inWindow(at("2026-12-07T19:30:00Z")) // Monday 22:30 in Nairobi
	require.True(t, open)
	open, _ = d.inWindow(at("2026-12-08T00:30:00Z")) // Tuesday 03:30, Monday's window
	require.True(t, open)
	open, in := d.inWindow(at("2026-12-08T02:00:00Z")) // Tuesday 05:00
	require.False(t, open)
	require.Equal(t, 17*time.Hour, in, "opens Tuesday 22:00")
	open, in = d.inWindow(at("2026-12-12T10:00:00Z")) // Saturday 13:00: next is Monday 22:00
	require.False(t, open)
	require.Equal(t, 2*24*time.Hour+9*time.Hour, in)
}

func countRows(t *testing.T, pool *pgxpool.Pool, q string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), q).Scan(&n))
	return n
}

// Cancelling withdraws the downloads GenieACS still holds (devices that
// did not come for them) and skips the devices not sent yet.
func TestDeployCancel(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 4)
	f.upload(t, "HG8245H_V13.bin", "V13")
	for _, gid := range f.gids {
		require.NoError(t, f.sim.SetOnline(gid, false))
	}
	ctx := context.Background()
	res, err := f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V13.bin", Model: "HG8245H", MaxInFlight: intp(2)})
	require.NoError(t, err)
	id := *res.DeploymentID
	_, err = f.s.advance(ctx, id, time.Now())
	require.NoError(t, err)
	require.Equal(t, 2, f.sim.Stats().TasksPending, "two queued (the cap), two waiting")

	tech := f.a
	tech.Role = actor.RoleTechnician
	_, err = f.s.Cancel(ctx, tech, id)
	require.ErrorIs(t, err, actor.ErrForbidden)
	d, err := f.s.Cancel(ctx, f.a, id)
	require.NoError(t, err)
	require.Equal(t, "cancelled", d.State)
	require.Equal(t, 4, d.Counts.States["skipped"])
	require.Zero(t, f.sim.Stats().TasksPending, "withdrawn from GenieACS")
	again, err := f.s.advance(ctx, id, time.Now())
	require.NoError(t, err)
	require.Zero(t, again, "nothing left to do")
	_, err = f.s.Resume(ctx, f.a, id)
	require.ErrorIs(t, err, ErrDeploymentState)
	for _, gid := range f.gids {
		require.NoError(t, f.sim.SetOnline(gid, true))
		require.NoError(t, f.sim.Inform(ctx, gid, "2 PERIODIC"))
		require.Zero(t, f.sim.Downloads(gid))
	}
}

// BenchmarkDeploy10k rolls an image out to 10,000 simulated devices with
// maxInFlight 200 (the simulator's clock 1000x: a flash takes 45 ms, a
// reboot 30 ms), stepping as the job does. It reports the most devices
// seen in flight after any step (the cap: 200), the heap in use before
// and at its peak, and the time against the simulator's own: 50 rounds of
// 200 devices, each a flash and a reboot.
func BenchmarkDeploy10k(b *testing.B) {
	const n, cap = 10000, 200
	ctx := context.Background()
	pool := dbtest.NewDB(b)
	sim, acs := testfactory.GenieACS(b, acssim.Options{Devices: 1, Seed: 3, TimeCompression: 1000, SessionDelay: time.Microsecond},
		testfactory.GenieACSOpts{})
	ins, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(b, err)
	o := testfactory.Org(ctx, b, pool, nil)
	a := actor.System(o.ID)
	s := NewService(pool, acs, ins)
	devices := make([]cpetest.Device, n)
	for i := range n {
		gid, err := sim.AddDevice(acssim.ProfileHuaweiHG8245H, fmt.Sprintf("48575443B%07d", i))
		require.NoError(b, err)
		require.NoError(b, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
		devices[i] = cpetest.Device{OrgID: &o.ID, Serial: fmt.Sprintf("HWTCB%07d", i), OUI: "00259E", ProductClass: "HG8245H",
			GenieACSID: gid, DataModel: "TR-098", SoftwareVersion: "V3R017C10S135"}
	}
	_, err = cpetest.InsertMany(ctx, pool, devices)
	require.NoError(b, err)
	data := bytes.Repeat([]byte{1}, 64<<10)
	_, err = s.Upload(ctx, a, Meta{Filename: "HG8245H_B.bin", OUI: "00259E", ProductClass: "HG8245H", Version: "V-BENCH"}, bytes.NewReader(data), int64(len(data)), 1<<20)
	require.NoError(b, err)

	for b.Loop() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heapBefore, heapPeak := ms.HeapInuse, ms.HeapInuse
		begin := time.Now()
		res, err := s.Deploy(ctx, a, DeployInput{Filename: "HG8245H_B.bin", Model: "HG8245H", MaxInFlight: intp(cap)})
		require.NoError(b, err)
		most, steps := 0, 0
		for {
			again, err := s.advance(ctx, *res.DeploymentID, time.Now())
			require.NoError(b, err)
			steps++
			var flying int
			require.NoError(b, pool.QueryRow(ctx, `SELECT count(*) FROM firmware_deployment_devices WHERE deployment_id = $1 AND state = ANY($2)`,
				*res.DeploymentID, inFlight).Scan(&flying))
			most = max(most, flying)
			runtime.ReadMemStats(&ms)
			heapPeak = max(heapPeak, ms.HeapInuse)
			if again == 0 {
				break
			}
			<-time.After(10 * time.Millisecond)
		}
		took := time.Since(begin)
		d, err := s.GetDeployment(ctx, a, *res.DeploymentID)
		require.NoError(b, err)
		require.Equal(b, "completed", d.State)
		require.Equal(b, n, d.Counts.States["upgraded"], "counts exact")
		require.LessOrEqual(b, most, cap)
		ideal := time.Duration(n/cap) * (45 + 30) * time.Millisecond
		b.ReportMetric(float64(most), "max_in_flight")
		b.ReportMetric(float64(steps), "steps")
		b.ReportMetric(took.Seconds(), "s_total")
		b.ReportMetric(took.Seconds()/ideal.Seconds(), "x_sim_time")
		b.ReportMetric(float64(heapBefore)/(1<<20), "heap_before_MiB")
		b.ReportMetric(float64(heapPeak)/(1<<20), "heap_peak_MiB")
	}
}

// Outside its window a deployment sends nothing and waits; a device that
// never comes for its queued download is offline after the grace, and
// the download is withdrawn.
func TestDeployWindowAndOfflineGrace(t *testing.T) {
	t.Parallel()
	f := newFleet(t, 2)
	f.upload(t, "HG8245H_V14.bin", "V14")
	ctx := context.Background()
	now := time.Now().UTC()
	closed := &Window{From: now.Add(2 * time.Hour).Format("15:04"), To: now.Add(3 * time.Hour).Format("15:04"), Timezone: "UTC"}
	res, err := f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V14.bin", Model: "HG8245H", Window: closed})
	require.NoError(t, err)
	again, err := f.s.advance(ctx, *res.DeploymentID, now)
	require.NoError(t, err)
	require.Greater(t, again, time.Duration(0), "it waits for the window")
	require.Equal(t, 2, f.get(t, *res.DeploymentID).Counts.States["waiting"], "nothing sent outside the window")
	require.Zero(t, f.sim.Stats().TasksPending)
	_, err = f.s.Cancel(ctx, f.a, *res.DeploymentID)
	require.NoError(t, err)

	for _, gid := range f.gids {
		require.NoError(t, f.sim.SetOnline(gid, false))
	}
	res, err = f.s.Deploy(ctx, f.a, DeployInput{Filename: "HG8245H_V14.bin", Model: "HG8245H", Halt: &Halt{OfflineGraceMinutes: intp(30), MinDevices: intp(5)}})
	require.NoError(t, err)
	_, err = f.s.advance(ctx, *res.DeploymentID, time.Now())
	require.NoError(t, err)
	require.Equal(t, 2, f.get(t, *res.DeploymentID).Counts.States["sent"])
	require.Equal(t, 2, f.sim.Stats().TasksPending)
	_, err = f.s.advance(ctx, *res.DeploymentID, time.Now().Add(31*time.Minute))
	require.NoError(t, err)
	d := f.get(t, *res.DeploymentID)
	require.Equal(t, 2, d.Counts.States["offline"])
	require.Contains(t, d.Failing[0].Detail, "did not contact GenieACS within 30 minutes")
	require.Zero(t, f.sim.Stats().TasksPending, "withdrawn")
}
