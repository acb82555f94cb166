package devsync_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// TestCapabilitiesOfEverySimulatedModel: the health provision discovers
// each model's objects in GenieACS, and the sync judges from them what the
// device can do — never from a list of models. A device whose periodic
// session has not run (GenieACS knows only its Inform) is not judged.
func TestCapabilitiesOfEverySimulatedModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	// As in production, the bootstrap provision runs at BOOTSTRAP (it
	// clears the tree and asks FyberPay, here a stand-in, who the device is).
	sim, _ := testfactory.GenieACS(t, acssim.Options{Devices: 0, Seed: 3, InformInterval: 24 * time.Hour, SessionDelay: time.Millisecond},
		testfactory.GenieACSOpts{AppURL: unknownDevices(t), InternalKey: "k"})
	c := client(t, sim.NBIURL)
	s := service(t, pool, c)

	diag := datamodel.Caps{datamodel.CapPing: true, datamodel.CapDownloadTest: true, datamodel.CapUploadTest: true, datamodel.CapTraceroute: true}
	with := func(base datamodel.Caps, more datamodel.Caps) datamodel.Caps {
		out := datamodel.Caps{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		profile string
		want    datamodel.Caps
	}{
		{acssim.ProfileHuaweiHG8245H, with(diag, datamodel.Caps{datamodel.CapPPPoE: true, datamodel.CapWiFi24: true,
			datamodel.CapWiFi5: true, datamodel.CapHosts: false, datamodel.CapOptical: false})},
		{acssim.ProfileZTEF660, with(diag, datamodel.Caps{datamodel.CapPPPoE: true, datamodel.CapWiFi24: true,
			datamodel.CapWiFi5: true, datamodel.CapHosts: false, datamodel.CapOptical: false, datamodel.CapNeighbourScan: true})},
		{acssim.ProfileTPLinkAX10, with(diag, datamodel.Caps{datamodel.CapPPPoE: true, datamodel.CapWiFi24: true,
			datamodel.CapWiFi5: true, datamodel.CapHosts: false, datamodel.CapNeighbourScan: true})},
		// The plain IP gateway: one band, hosts, nothing else.
		{acssim.ProfileTendaN301, datamodel.Caps{datamodel.CapWiFi24: true, datamodel.CapHosts: false}},
	}
	gids := map[string]string{}
	for _, tt := range tests {
		gid, err := sim.AddDevice(tt.profile, "")
		require.NoError(t, err)
		require.NoError(t, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
		gids[tt.profile] = gid
	}
	caps := func(gid string) *string {
		var js *string
		require.NoError(t, pool.QueryRow(ctx, `SELECT capabilities::text FROM cpe_devices WHERE genieacs_id = $1`, gid).Scan(&js))
		return js
	}

	_, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	for _, gid := range gids {
		require.Nil(t, caps(gid), "only the Inform is known: not judged")
	}

	// Several periodic sessions: each re-lists the tables it reads, and
	// none may lose what an earlier one discovered.
	for range 3 {
		for _, gid := range gids {
			require.NoError(t, sim.Inform(ctx, gid, "2 PERIODIC"))
		}
	}
	_, err = s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			js := caps(gids[tt.profile])
			require.NotNil(t, js)
			var got datamodel.Caps
			require.NoError(t, json.Unmarshal([]byte(*js), &got))
			require.Equal(t, tt.want, got)
		})
	}
}

// TestNBINeverShowsHalfASession: GenieACS saves a device's document at the
// end of its session, so a read while a session is under way sees the
// document as it was before it, never half of it: here a re-bootstrap,
// held in its identify call (the ext script waits for FyberPay), has
// cleared the tree and read back part of it. A judgement from such a
// half-saved document would refuse what the device can do.
func TestNBINeverShowsHalfASession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	var held atomic.Int32
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if held.Add(1) > 1 {
			<-release // the re-bootstrap waits here
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"known":false}`))
	}))
	t.Cleanup(app.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	sim, _ := testfactory.GenieACS(t, acssim.Options{Devices: 0, Seed: 3, InformInterval: 24 * time.Hour, SessionDelay: time.Millisecond},
		testfactory.GenieACSOpts{AppURL: app.URL, InternalKey: "k"})
	c := client(t, sim.NBIURL)
	gid, err := sim.AddDevice(acssim.ProfileTendaN301, "")
	require.NoError(t, err)
	require.NoError(t, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	require.NoError(t, sim.Inform(ctx, gid, "2 PERIODIC"))
	saved, err := c.GetDevice(ctx, gid, devsync.Projection())
	require.NoError(t, err)
	require.Contains(t, saved.Params, "Device.ManagementServer.URL")

	done := make(chan error, 1)
	go func() { done <- sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT") }()
	require.Eventually(t, func() bool { return held.Load() == 2 }, 15*time.Second, 5*time.Millisecond, "the re-bootstrap calls identify")
	during, err := c.GetDevice(ctx, gid, devsync.Projection())
	require.NoError(t, err)
	require.Equal(t, slices.Sorted(maps.Keys(saved.Params)), slices.Sorted(maps.Keys(during.Params)), "the document as saved before the session")
	require.Equal(t, saved.LastInform, during.LastInform, "the session's inform is saved with it, at its end")
	close(release)
	<-done
	after, err := c.GetDevice(ctx, gid, devsync.Projection())
	require.NoError(t, err)
	require.True(t, after.LastInform.After(saved.LastInform), "saved at the session's end")
}

// unknownDevices is a FyberPay stand-in whose identify knows no device.
func unknownDevices(t *testing.T) string {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"known":false}`))
	}))
	t.Cleanup(app.Close)
	return app.URL
}
