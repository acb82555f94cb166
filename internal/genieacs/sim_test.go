package genieacs_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
)

type testBundle struct {
	sim    *acssim.TestServer
	client *genieacs.Client
}

func setup(t *testing.T, devices int, breaker genieacs.BreakerSettings) *testBundle {
	t.Helper()
	sim := acssim.NewTestServer(t, acssim.Options{Devices: devices, Seed: 7, DropDelay: 200 * time.Millisecond,
		SessionDelay: time.Millisecond, OnlineThreshold: 300 * time.Millisecond})
	u, err := url.Parse(sim.NBIURL)
	require.NoError(t, err)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 5 * time.Second, Breaker: breaker})
	require.NoError(t, err)
	return &testBundle{sim: sim, client: c}
}

// firstOf returns the first device id of a profile's product class.
func (b *testBundle) firstOf(t *testing.T, productClass string) string {
	t.Helper()
	for _, id := range b.sim.DeviceIDs() {
		if strings.Contains(id, "-"+productClass+"-") {
			return id
		}
	}
	t.Fatalf("no %s device", productClass)
	return ""
}

func TestDevicesAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 2500, genieacs.BreakerSettings{})

	t.Run("KeysetPagingStreamsEveryDeviceOnce", func(t *testing.T) {
		seen := map[string]bool{}
		last := ""
		err := b.client.EachDevice(ctx, nil, []string{"_id", "_lastInform", "_deviceId"}, 1000, func(d *genieacs.Device) error {
			require.False(t, seen[d.ID], "%s twice", d.ID)
			require.Greater(t, d.ID, last, "ascending _id")
			require.NotEmpty(t, d.Identity.SerialNumber)
			require.False(t, d.LastInform.IsZero())
			require.Empty(t, d.Params, "projection honoured")
			seen[d.ID], last = true, d.ID
			return nil
		})
		require.NoError(t, err)
		require.Len(t, seen, 2500)
		n, err := b.client.CountDevices(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, 2500, n)
	})
	t.Run("FilterWithISODates", func(t *testing.T) {
		future := genieacs.Time(time.Now().Add(time.Hour))
		n, err := b.client.CountDevices(ctx, map[string]any{"_lastInform": map[string]any{"$gt": future}})
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = b.client.CountDevices(ctx, map[string]any{"_lastInform": map[string]any{"$lt": future}})
		require.NoError(t, err)
		require.Equal(t, 2500, n)
	})
	t.Run("OneDeviceByEscapedID", func(t *testing.T) {
		id := b.firstOf(t, "Archer%20AX10")
		d, err := b.client.GetDevice(ctx, id, nil)
		require.NoError(t, err)
		require.Equal(t, id, d.ID)
		require.Equal(t, "Archer AX10", d.Identity.ProductClass)
		require.Equal(t, "Device", d.Root())
		require.Equal(t, id, genieacs.DeviceID(d.Identity.OUI, d.Identity.ProductClass, d.Identity.SerialNumber))
		require.NotEmpty(t, d.String("Device.DeviceInfo.SoftwareVersion"))

		_, err = b.client.GetDevice(ctx, "00259E-HG8245H-NOSUCH", nil)
		require.ErrorIs(t, err, genieacs.ErrDeviceNotFound)
	})
	t.Run("Tags", func(t *testing.T) {
		id := b.firstOf(t, "HG8245H")
		require.NoError(t, b.client.AddTag(ctx, id, "sub:alice_w"))
		require.NoError(t, b.client.AddTag(ctx, id, "plan:home-10"))
		d, err := b.client.GetDevice(ctx, id, []string{"_tags"})
		require.NoError(t, err)
		require.Subset(t, d.Tags, []string{"sub:alice_w", "plan:home-10"})
		require.NoError(t, b.client.RemoveTag(ctx, id, "sub:alice_w"))
		d, err = b.client.GetDevice(ctx, id, []string{"_tags"})
		require.NoError(t, err)
		require.NotContains(t, d.Tags, "sub:alice_w")
		require.Error(t, b.client.AddTag(ctx, id, "bad.tag"), "a '.' would break Tags.<tag> in provisions")
		require.ErrorIs(t, b.client.AddTag(ctx, "00259E-HG8245H-NOSUCH", "x"), genieacs.ErrDeviceNotFound)
	})
}

func TestTasksAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 30, genieacs.BreakerSettings{})
	id := b.firstOf(t, "F660")
	ssid := "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"

	t.Run("DoneWithConnectionRequest", func(t *testing.T) {
		res, err := b.client.CreateTask(ctx, id, genieacs.SetParameterValues(genieacs.ParameterValue{Path: ssid, Value: "Nia-Home"}),
			genieacs.TaskOptions{ConnectionRequest: true})
		require.NoError(t, err)
		require.Equal(t, genieacs.OutcomeDone, res.Outcome)
		require.Len(t, res.Task.ID, 24)
		d, err := b.client.GetDevice(ctx, id, []string{ssid})
		require.NoError(t, err)
		require.Equal(t, "Nia-Home", d.String(ssid), "read back")
		tasks, err := b.client.Tasks(ctx, map[string]any{"_id": res.Task.ID})
		require.NoError(t, err)
		require.Empty(t, tasks, "completed tasks are deleted")
	})
	t.Run("MissingPathIsASilentDone", func(t *testing.T) {
		res, err := b.client.CreateTask(ctx, id, genieacs.SetParameterValues(genieacs.ParameterValue{Path: "InternetGatewayDevice.No.Such", Value: "x"}),
			genieacs.TaskOptions{ConnectionRequest: true})
		require.NoError(t, err)
		require.Equal(t, genieacs.OutcomeDone, res.Outcome, "GenieACS answers 200: done never proves a write")
	})
	t.Run("QueuedWithoutConnectionRequest", func(t *testing.T) {
		res, err := b.client.CreateTask(ctx, id, genieacs.GetParameterValues(ssid), genieacs.TaskOptions{})
		require.NoError(t, err)
		require.Equal(t, genieacs.OutcomeQueued, res.Outcome)
		require.Equal(t, "Accepted", res.Reason)
		tasks, err := b.client.Tasks(ctx, map[string]any{"device": id})
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		require.NoError(t, b.client.DeleteTask(ctx, res.Task.ID))
		require.ErrorIs(t, b.client.DeleteTask(ctx, res.Task.ID), genieacs.ErrNotFound)
	})
	t.Run("FaultedThenRetried", func(t *testing.T) {
		key := "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase"
		res, err := b.client.CreateTask(ctx, id, genieacs.SetParameterValues(genieacs.ParameterValue{Path: key, Value: "short"}),
			genieacs.TaskOptions{ConnectionRequest: true})
		require.NoError(t, err)
		require.Equal(t, genieacs.OutcomeFaulted, res.Outcome)
		faults, err := b.client.Faults(ctx, map[string]any{"device": id})
		require.NoError(t, err)
		require.Len(t, faults, 1)
		require.Equal(t, res.Task.ID, faults[0].TaskID())
		require.Equal(t, "cwmp.9007", faults[0].Code)
		require.NoError(t, b.client.RetryTask(ctx, res.Task.ID))
		faults, err = b.client.Faults(ctx, map[string]any{"device": id})
		require.NoError(t, err)
		require.Empty(t, faults, "retry clears the fault")
		require.NoError(t, b.client.DeleteFault(ctx, id+":task_"+res.Task.ID))
		require.ErrorIs(t, b.client.RetryTask(ctx, "0123456789abcdef01234567"), genieacs.ErrNotFound, "checked, not sent (GenieACS would hang)")
	})
	t.Run("OfflineDevice", func(t *testing.T) {
		off := b.firstOf(t, "HG8245H")
		require.NoError(t, b.sim.SetOnline(off, false))
		res, err := b.client.CreateTask(ctx, off, genieacs.Reboot(), genieacs.TaskOptions{ConnectionRequest: true})
		require.NoError(t, err)
		require.Equal(t, genieacs.OutcomeOffline, res.Outcome)
		ok, why, err := b.client.WakeUp(ctx, off)
		require.NoError(t, err)
		require.False(t, ok)
		require.Equal(t, "Device is offline", why)
	})
	t.Run("InvalidTasksAreNeverSent", func(t *testing.T) {
		for _, task := range []genieacs.Task{{Name: "frobnicate"}, genieacs.GetParameterValues(), genieacs.SetParameterValues(),
			genieacs.DeleteObject("InternetGatewayDevice.X.1."), {Name: genieacs.TaskDownload}} {
			_, err := b.client.CreateTask(ctx, id, task, genieacs.TaskOptions{})
			require.ErrorIs(t, err, genieacs.ErrInvalidTask, task.Name)
		}
	})
}

func TestConfigAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1, genieacs.BreakerSettings{})

	require.NoError(t, b.client.PutProvision(ctx, "x-test", `declare("Device.DeviceInfo.UpTime", {value: Date.now()});`))
	p, ok, err := b.client.GetProvision(ctx, "x-test")
	require.NoError(t, err)
	require.True(t, ok)
	require.Contains(t, p.Script, "UpTime")
	require.ErrorIs(t, b.client.PutProvision(ctx, "broken", "let x = ;"), genieacs.ErrScript)
	require.NoError(t, b.client.DeleteProvision(ctx, "x-test"))
	_, ok, err = b.client.GetProvision(ctx, "x-test")
	require.NoError(t, err)
	require.False(t, ok)

	preset := genieacs.Preset{Weight: 1, Channel: "x", Events: map[string]bool{"2 PERIODIC": true},
		Configurations: []genieacs.Configuration{{Type: "provision", Name: "x-test"}}}
	require.NoError(t, b.client.PutPreset(ctx, "x-preset", preset))
	got, ok, err := b.client.GetPreset(ctx, "x-preset")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "x-preset", got.ID)
	require.Equal(t, preset.Events, got.Events)

	body := strings.Repeat("firmware-bytes-", 70000) // ~1 MB
	require.NoError(t, b.client.PutFile(ctx, "fw v2.bin", genieacs.FileMeta{FileType: genieacs.FileTypeFirmware, OUI: "00259E",
		ProductClass: "HG8245H", Version: "V3R018"}, strings.NewReader(body), int64(len(body))))
	files, err := b.client.Files(ctx, map[string]any{"_id": "fw v2.bin"})
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, int64(len(body)), files[0].Length)
	require.Equal(t, "V3R018", *files[0].Metadata.Version)
	resp, err := http.Get(b.sim.FSURL + "/" + url.PathEscape("fw v2.bin"))
	require.NoError(t, err)
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, sha256.Sum256([]byte(body)), sha256.Sum256(served), "the file server serves the same bytes")
	require.NoError(t, b.client.DeleteFile(ctx, "fw v2.bin"))
	require.ErrorIs(t, b.client.DeleteFile(ctx, "fw v2.bin"), genieacs.ErrNotFound, "checked, not sent (GenieACS would hang)")
}

func TestBreaker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1, genieacs.BreakerSettings{MinRequests: 4, FailureRatio: 0.5, OpenFor: 300 * time.Millisecond, HalfOpenMax: 1})
	require.Equal(t, "closed", b.client.BreakerState())

	b.sim.SetFailure(acssim.Failure{Status: http.StatusInternalServerError})
	beforeOpen := time.Now()
	for range 4 {
		_, err := b.client.CountDevices(ctx, nil)
		var he *genieacs.HTTPError
		require.ErrorAs(t, err, &he)
		require.Equal(t, 500, he.Status)
	}
	require.Equal(t, "open", b.client.BreakerState())

	start := time.Now()
	_, err := b.client.CountDevices(ctx, nil)
	require.ErrorIs(t, err, genieacs.ErrCircuitOpen, "fails fast while open")
	require.Less(t, time.Since(start), 50*time.Millisecond)

	// Half-open once OpenFor (300 ms) has passed, and not before.
	require.Eventually(t, func() bool { return b.client.BreakerState() == "half-open" }, 5*time.Second, 5*time.Millisecond)
	require.GreaterOrEqual(t, time.Since(beforeOpen), 300*time.Millisecond, "open for OpenFor")
	b.sim.SetFailure(acssim.Failure{})
	n, err := b.client.CountDevices(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "closed", b.client.BreakerState(), "recovered")

	t.Run("ClientErrorsDoNotTrip", func(t *testing.T) {
		for range 10 {
			_, err := b.client.GetDevice(ctx, "nope", nil) // an empty result, not an error
			require.ErrorIs(t, err, genieacs.ErrDeviceNotFound)
			err = b.client.AddTag(ctx, "nope", "x") // a real 404
			require.ErrorIs(t, err, genieacs.ErrDeviceNotFound)
		}
		require.Equal(t, "closed", b.client.BreakerState())
	})
	t.Run("CancellationDoesNotTrip", func(t *testing.T) {
		b.sim.SetFailure(acssim.Failure{Delay: time.Second})
		for range 6 {
			cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
			cancel()
			_, err := b.client.CountDevices(cctx, nil)
			require.True(t, errors.Is(err, context.Canceled), "%v", err)
		}
		b.sim.SetFailure(acssim.Failure{})
		require.Equal(t, "closed", b.client.BreakerState())
	})
	t.Run("DroppedConnectionsAndTimeoutsTrip", func(t *testing.T) {
		b.sim.SetFailure(acssim.Failure{Drop: true})
		// The window also holds the successes above; drops push the
		// failure ratio over one half.
		drops := 0
		for b.client.BreakerState() == "closed" && drops < 40 {
			_, err := b.client.CountDevices(ctx, nil)
			require.ErrorIs(t, err, genieacs.ErrDropped)
			drops++
		}
		require.Equal(t, "open", b.client.BreakerState())
		require.Greater(t, drops, 4)
		b.sim.SetFailure(acssim.Failure{})
	})
}
