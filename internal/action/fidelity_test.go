package action_test

// Regressions found running against a real GenieACS 1.2.16, which knows
// only what it fetched (the simulator is as strict).

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// cpeValue is what the simulated CPE itself holds.
func (b *bundle) cpeValue(t *testing.T, gid, path string) any {
	t.Helper()
	v, ok := b.sim.Value(gid, path)
	require.True(t, ok, "the CPE has %s", path)
	return v
}

// fetchOnly has GenieACS read just these values (as a health provision
// that reads client counts and SSIDs, and no key, did): it then knows the
// levels on their way and nothing else of them.
func (b *bundle) fetchOnly(t *testing.T, gid string, paths ...string) {
	t.Helper()
	res, err := b.client.CreateTask(context.Background(), gid, genieacs.GetParameterValues(paths...), genieacs.TaskOptions{ConnectionRequest: true})
	require.NoError(t, err)
	require.Equal(t, genieacs.OutcomeDone, res.Outcome, res.Reason)
}

// TestWiFiOnTR181AfterOnlyTheHealthProvision: a fetch of a few
// Device.WiFi parameters (client counts, SSIDs) leaves GenieACS knowing
// Device.WiFi without its access points' security. That is not "the device
// has no Wi-Fi key".
func TestWiFiOnTR181AfterOnlyTheHealthProvision(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.owned(t, "Archer%20AX10", 0)
	b.fetchOnly(t, gid, "Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries", "Device.WiFi.SSID.1.SSID")
	d, err := b.client.GetDevice(ctx, gid, []string{"Device.WiFi"})
	require.NoError(t, err)
	require.NotEmpty(t, d.Params, "the fetch read part of Device.WiFi")
	_, known := d.Params["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"]
	require.False(t, known, "but not where the key goes")

	tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Home-181", Password: "wifi-181-pass", Band: action.Band24})
	require.NoError(t, err)
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.Empty(t, done.FaultCode)
	require.Equal(t, "Home-181", b.cpeValue(t, gid, "Device.WiFi.SSID.1.SSID"))
	require.Equal(t, "wifi-181-pass", b.cpeValue(t, gid, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"))
}

// TestWiFiKeyAtTheVendorPathAfterAPartialFetch: a fetch of one level of
// WLANConfiguration.1 leaves GenieACS knowing KeyPassphrase but not
// PreSharedKey.1.*: the key must still go where Huawei and ZTE keep it.
func TestWiFiKeyAtTheVendorPathAfterAPartialFetch(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	const wl = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1."
	for _, tc := range []struct{ model, key string }{
		{"HG8245H", wl + "PreSharedKey.1.PreSharedKey"},
		{"F660", wl + "PreSharedKey.1.KeyPassphrase"},
	} {
		id, gid := b.owned(t, tc.model, 0)
		// A read of WLANConfiguration.1.TotalAssociations: GenieACS lists
		// WLANConfiguration.1, one level.
		b.fetchOnly(t, gid, wl+"TotalAssociations")
		d, err := b.client.GetDevice(ctx, gid, []string{strings.TrimSuffix(wl, ".")})
		require.NoError(t, err)
		_, kp := d.Params[wl+"KeyPassphrase"]
		_, psk := d.Params[tc.key]
		require.Equal(t, tc.model == "HG8245H", kp, "GenieACS knows the Huawei's KeyPassphrase (the ZTE has none)")
		require.False(t, psk, "and not yet the vendor's path")

		tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Home-" + tc.model, Password: "vendor-key-" + tc.model, Band: action.Band24})
		require.NoError(t, err)
		b.wait(t, a, tk.ID, action.StatusDone)
		require.Equal(t, "vendor-key-"+tc.model, b.cpeValue(t, gid, tc.key), tc.model)
		if tc.model == "HG8245H" {
			require.Equal(t, "", b.cpeValue(t, gid, wl+"KeyPassphrase"), "nothing written to KeyPassphrase")
		}
	}
}

// TestBothBandsOnASingleBandDevice: "both" on a 2.4 GHz-only router is done
// for 2.4 GHz and says 5 GHz is absent.
func TestBothBandsOnASingleBandDevice(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	gid, err := b.sim.AddDevice(acssim.ProfileTendaN301, "")
	require.NoError(t, err)
	require.NoError(t, b.sim.Inform(ctx, gid, "0 BOOTSTRAP,1 BOOT"))
	id, _ := b.owned(t, "N301", 0)
	tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Tenda-Home", Password: "single-band-pass", Band: action.BandBoth})
	require.NoError(t, err)
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.Contains(t, done.Message, "set on 2.4 GHz only")
	require.Contains(t, done.Message, "no 5 GHz")
	require.Equal(t, "Tenda-Home", b.cpeValue(t, gid, "Device.WiFi.SSID.1.SSID"))

	tk, err = b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Tenda-5", Password: "single-band-pass", Band: action.Band5})
	require.NoError(t, err)
	failed := b.wait(t, a, tk.ID, action.StatusFailed)
	require.Contains(t, failed.Message, "no 5 GHz Wi-Fi")
}

// TestAPingFinishingTwoSecondsLaterIsDone: its results are read although
// GenieACS fetched the "Requested" state moments before.
func TestAPingFinishingTwoSecondsLaterIsDone(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, _ := b.owned(t, "F660", 0)
	tk, err := b.svc.Ping(ctx, a, id, action.PingInput{Host: "1.1.1.1", Repetitions: 2})
	require.NoError(t, err)
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.Contains(t, done.Message, "of 2 replies")
}

// TestFailedDiagnosticsStayFailed: a test that reported nothing in time
// fails, and its follow job ends; re-checking never makes it "running"
// again.
func TestFailedDiagnosticsStayFailed(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	b.svc.DiagnosticsWait = time.Second
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.owned(t, "HG8245H", 0)
	tk, err := b.svc.Ping(ctx, a, id, action.PingInput{Host: "9.9.9.9", Repetitions: 100})
	require.NoError(t, err)
	require.Equal(t, action.StatusRunning, tk.Status, tk.Message)
	require.NoError(t, b.sim.SetOnline(gid, false)) // its results never reach GenieACS
	failed := b.wait(t, a, tk.ID, action.StatusFailed)
	require.Contains(t, failed.Message, "no results within")
	require.Empty(t, failed.GenieACSTaskID, "nothing left to follow in GenieACS")

	// The follow job ends instead of snoozing on.
	require.Eventually(t, func() bool {
		var left int
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'cpe_task'
			AND args->>'task_id' = $1 AND state NOT IN ('completed', 'cancelled', 'discarded')`, tk.ID.String()).Scan(&left))
		return left == 0
	}, 10*time.Second, 50*time.Millisecond)
	got, err := b.svc.Get(ctx, a, tk.ID)
	require.NoError(t, err)
	require.Equal(t, action.StatusFailed, got.Status)
}

// TestOverwrittenWriteIsSuperseded: two writes of the Wi-Fi name wait in
// GenieACS for the device's next session and run there one after the
// other; the first one's value does not read back because the second
// replaced it: "superseded", naming the second, not "failed"; the second
// is done.
func TestOverwrittenWriteIsSuperseded(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleAdmin)
	id, gid := b.owned(t, "HG8245H", 0)
	const ssid = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"
	no := false // not woken: both wait for the device's next session
	write := func(v string) action.Task {
		t.Helper()
		tk, err := b.svc.SetParameters(ctx, a, id, action.ParameterInput{Parameters: []genieacs.ParameterValue{{Path: ssid, Value: v, Type: "xsd:string"}}, ConnectionRequest: &no})
		require.NoError(t, err)
		return b.wait(t, a, tk.ID, action.StatusQueued)
	}
	one, two := write("Home-One"), write("Home-Two")
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))

	b.wait(t, a, two.ID, action.StatusDone)
	got := b.wait(t, a, one.ID, action.StatusSuperseded)
	require.Contains(t, got.Message, "another change to the same setting replaced it: "+two.Summary)
	require.Equal(t, "Home-Two", b.cpeValue(t, gid, ssid))
	require.False(t, got.Retryable(), "sending it again would undo the later change")
}
