package action_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// judged adds a simulated CPE of profile, runs its bootstrap and first
// periodic session (the health provision discovers its objects), registers
// it as the org's and runs a sync pass: its capabilities are judged.
func (b *bundle) judged(t *testing.T, profile string) (uuid.UUID, string) {
	t.Helper()
	ctx := context.Background()
	gid, err := b.sim.AddDevice(profile, "")
	require.NoError(t, err)
	require.NoError(t, b.sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	id := testfactory.RegisterGenieACSDevice(ctx, t, b.pool, b.client, b.org, gid)
	_, err = b.sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	return id, gid
}

func missing(t *testing.T, err error, want datamodel.Capability) {
	t.Helper()
	var me *datamodel.MissingError
	require.True(t, errors.As(err, &me), "a missing capability, got %v", err)
	require.Equal(t, want, me.Capability)
}

// TestWhatADeviceCannotDoIsRefusedBeforeAnythingIsSent: on the plain IP
// gateway (no PPP, no diagnostics, one band) the actions it cannot do are
// refused by name, no task is recorded and GenieACS is asked nothing; what
// it can do goes ahead.
func TestWhatADeviceCannotDoIsRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.judged(t, acssim.ProfileTendaN301)
	tasksBefore, err := b.client.Tasks(ctx, map[string]any{"device": gid})
	require.NoError(t, err)

	_, err = b.svc.Ping(ctx, a, id, action.PingInput{Host: "8.8.8.8"})
	missing(t, err, datamodel.CapPing)
	require.ErrorContains(t, err, "no ping diagnostics")
	_, err = b.svc.SpeedTest(ctx, a, id, action.SpeedTestInput{DownloadURL: "http://127.0.0.1/x.bin"})
	missing(t, err, datamodel.CapDownloadTest)
	_, err = b.svc.UploadTest(ctx, a, id, action.UploadTestInput{UploadURL: "http://127.0.0.1/up"})
	missing(t, err, datamodel.CapUploadTest)
	_, err = b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Gw-5", Password: "gateway-pass-5", Band: action.Band5})
	missing(t, err, datamodel.CapWiFi5)

	var n int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_tasks WHERE device_id = $1`, id).Scan(&n))
	require.Zero(t, n, "no task recorded")
	tasksAfter, err := b.client.Tasks(ctx, map[string]any{"device": gid})
	require.NoError(t, err)
	require.Len(t, tasksAfter, len(tasksBefore), "nothing sent to GenieACS")

	// Both bands on a one-band device: the band it has.
	tk, err := b.svc.SetWiFi(ctx, a, id, action.WiFiInput{SSID: "Gw-Home", Password: "gateway-pass", Band: action.BandBoth})
	require.NoError(t, err)
	require.Contains(t, b.wait(t, a, tk.ID, action.StatusDone).Message, "no 5 GHz")
	// Hosts it has.
	_, err = b.svc.RefreshHosts(ctx, a, id)
	require.NoError(t, err)

	t.Run("AFullONTIsNotRefused", func(t *testing.T) {
		id, _ := b.judged(t, acssim.ProfileHuaweiHG8245H)
		tk, err := b.svc.Ping(ctx, a, id, action.PingInput{Host: "8.8.8.8", Repetitions: 2})
		require.NoError(t, err)
		b.wait(t, a, tk.ID, action.StatusDone)
	})
	t.Run("AViewerIsForbiddenFirst", func(t *testing.T) {
		_, err := b.svc.RefreshHosts(ctx, b.as(t, actor.RoleViewer), id)
		require.ErrorIs(t, err, actor.ErrForbidden)
	})
}
