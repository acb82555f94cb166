package action_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
)

// TestHostsListsWhatIsConnected: once GenieACS has read the hosts table
// (a refresh technicians may ask for) the device's hosts are listed with
// name, MAC, IP, link and whether active, on TR-098 and TR-181; a host the
// CPE lists among a Wi-Fi network's associated devices carries its
// signal; viewers read, may not refresh; another organization's device is
// not found.
func TestHostsListsWhatIsConnected(t *testing.T) {
	t.Parallel()
	b := setup(t, 6)
	ctx := context.Background()
	tech, viewer, admin := b.as(t, actor.RoleTechnician), b.as(t, actor.RoleViewer), b.as(t, actor.RoleAdmin)
	cpeText := func(gid, path string) string { return fmt.Sprint(b.cpeValue(t, gid, path)) }

	hw, hwGID := b.owned(t, "HG8245H", 0)
	before, err := b.svc.Hosts(ctx, viewer, hw)
	require.NoError(t, err)
	require.Empty(t, before.Hosts, "GenieACS has not read them yet")
	require.Nil(t, before.ReadAt)
	_, err = b.svc.RefreshHosts(ctx, viewer, hw)
	require.ErrorIs(t, err, actor.ErrForbidden)
	tk, err := b.svc.RefreshHosts(ctx, tech, hw)
	require.NoError(t, err)
	b.wait(t, tech, tk.ID, action.StatusDone)
	got, err := b.svc.Hosts(ctx, viewer, hw)
	require.NoError(t, err)
	require.Len(t, got.Hosts, 3)
	require.NotNil(t, got.ReadAt)
	const h = "InternetGatewayDevice.LANDevice.1.Hosts.Host."
	for i, host := range got.Hosts {
		n := fmt.Sprint(i + 1)
		require.Equal(t, cpeText(hwGID, h+n+".HostName"), host.Name)
		require.Equal(t, cpeText(hwGID, h+n+".MACAddress"), host.MAC)
		require.Equal(t, cpeText(hwGID, h+n+".IPAddress"), host.IP)
		require.Equal(t, cpeText(hwGID, h+n+".InterfaceType"), host.Interface)
	}
	// Host 3 comes and goes (the simulator's phone that leaves the house):
	// its flag is read (its value may have moved on since, at a later
	// session).
	require.NotNil(t, got.Hosts[2].Active)
	// Hosts 1 and 3 are the 2.4 and 5 GHz networks' associated devices,
	// with their signal; host 2 is on Ethernet.
	require.Equal(t, cpeText(hwGID, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.X_HW_RSSI"),
		fmt.Sprint(*got.Hosts[0].SignalDBm))
	require.Nil(t, got.Hosts[1].SignalDBm)
	require.Equal(t, cpeText(hwGID, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.X_HW_RSSI"),
		fmt.Sprint(*got.Hosts[2].SignalDBm))

	// A Wi-Fi client the CPE lists among a network's associated devices
	// (here one the hosts table does not hold): listed with its signal.
	add, err := b.svc.AddInstance(ctx, admin, hw, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice")
	require.NoError(t, err)
	b.wait(t, admin, add.ID, action.StatusDone)
	tk, err = b.svc.RefreshHosts(ctx, tech, hw)
	require.NoError(t, err)
	b.wait(t, tech, tk.ID, action.StatusDone)
	const assoc = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.2."
	require.Eventually(t, func() bool {
		got, err = b.svc.Hosts(ctx, viewer, hw)
		require.NoError(t, err)
		return len(got.Hosts) == 4
	}, 15*time.Second, 20*time.Millisecond)
	client := got.Hosts[3]
	require.Equal(t, cpeText(hwGID, assoc+"AssociatedDeviceMACAddress"), client.MAC)
	require.Equal(t, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1", client.Interface)
	require.NotNil(t, client.SignalDBm)
	require.Equal(t, int64(-61), *client.SignalDBm)

	tp, tpGID := b.owned(t, "Archer%20AX10", 0)
	tk, err = b.svc.RefreshHosts(ctx, tech, tp)
	require.NoError(t, err)
	b.wait(t, tech, tk.ID, action.StatusDone)
	got, err = b.svc.Hosts(ctx, viewer, tp)
	require.NoError(t, err)
	require.Len(t, got.Hosts, 3)
	require.Equal(t, cpeText(tpGID, "Device.Hosts.Host.1.PhysAddress"), got.Hosts[0].MAC)
	require.Equal(t, "Device.WiFi.SSID.1", got.Hosts[0].Interface)

	stranger := b.stranger(t)
	_, err = b.svc.Hosts(ctx, stranger, hw)
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.RefreshHosts(ctx, stranger, hw)
	require.ErrorIs(t, err, db.ErrNotFound)
}

// TestHostsAreReadAtEachPeriodicInform: the health provision lists and
// reads the hosts and Wi-Fi client tables at each periodic inform, so the
// panel is as fresh as the device's last session without a refresh task;
// a client's signal moves from one to the next.
func TestHostsAreReadAtEachPeriodicInform(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	viewer := b.as(t, actor.RoleViewer)
	for _, tc := range []struct {
		model, rssi string
	}{
		{"HG8245H", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.X_HW_RSSI"},
		{"Archer%20AX10", "Device.WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength"},
	} {
		id, gid := b.owned(t, tc.model, 0)
		seen := map[string]bool{}
		for range 4 {
			require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
			got, err := b.svc.Hosts(ctx, viewer, id)
			require.NoError(t, err)
			require.Len(t, got.Hosts, 3, tc.model)
			require.NotNil(t, got.Hosts[0].SignalDBm, tc.model)
			require.Equal(t, fmt.Sprint(b.cpeValue(t, gid, tc.rssi)), fmt.Sprint(*got.Hosts[0].SignalDBm), tc.model)
			seen[fmt.Sprint(*got.Hosts[0].SignalDBm)] = true
		}
		require.Greater(t, len(seen), 1, "%s: the signal moved between informs", tc.model)
	}
}
