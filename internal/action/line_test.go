package action_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/org"
)

// TestLineAsSupportReadsIt: after a periodic inform (the health provision
// fetches them) the line essentials are the CPE's own values, on TR-098
// with PPP, TR-181 with PPP and a TR-181 router on plain DHCP; before it,
// only what GenieACS holds; another organization's device is not found.
func TestLineAsSupportReadsIt(t *testing.T) {
	t.Parallel()
	b := setup(t, 9)
	ctx := context.Background()
	viewer := b.as(t, actor.RoleViewer)
	cpeStr := func(gid, path string) string {
		v, ok := b.sim.Value(gid, path)
		if !ok {
			return ""
		}
		return fmt.Sprint(v)
	}
	tendaGID, err := b.sim.AddDevice(acssim.ProfileTendaN301, "")
	require.NoError(t, err)
	require.NoError(t, b.sim.Inform(ctx, tendaGID, "0 BOOTSTRAP,1 BOOT"))

	for _, tc := range []struct {
		model, ssid24, ssid5, user, status, ip, wanType string
	}{
		{"HG8245H", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID",
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANPPPConnection.1.Username",
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANPPPConnection.1.ConnectionStatus",
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANPPPConnection.1.ExternalIPAddress", "PPPoE"},
		{"Archer%20AX10", "Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.3.SSID", "Device.PPP.Interface.1.Username", // SSID.2 is its guest network
			"Device.PPP.Interface.1.ConnectionStatus", "Device.IP.Interface.2.IPv4Address.1.IPAddress", "PPPoE"},
		{"N301", "Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.2.SSID", "", "Device.IP.Interface.2.Status", "Device.IP.Interface.2.IPv4Address.1.IPAddress", "IP"},
	} {
		t.Run(tc.model, func(t *testing.T) {
			id, gid := b.owned(t, tc.model, 0)
			require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"), "the health provision reads the line")
			l, err := b.svc.Line(ctx, viewer, id)
			require.NoError(t, err)
			// The TR-098 PPP connection device's instance varies by variant.
			resolve := func(pattern string) string {
				for _, j := range []string{"1", "2", "3"} {
					p := strings.Replace(pattern, "*", j, 1)
					if _, ok := b.sim.Value(gid, p); ok {
						return p
					}
				}
				return pattern
			}
			require.NotEmpty(t, l.SSID24)
			require.Equal(t, cpeStr(gid, tc.ssid24), l.SSID24)
			require.Equal(t, cpeStr(gid, tc.ssid5), l.SSID5)
			_, has5 := b.sim.Value(gid, tc.ssid5)
			require.Equal(t, has5, l.Has5)
			require.Equal(t, tc.wanType, l.WANType)
			require.Equal(t, cpeStr(gid, resolve(tc.status)), l.WANStatus)
			require.NotEmpty(t, l.WANStatus)
			require.Equal(t, cpeStr(gid, resolve(tc.ip)), l.WANIP)
			if tc.user != "" {
				require.Equal(t, cpeStr(gid, resolve(tc.user)), l.PPPoEUsername)
			}
			require.NotNil(t, l.UptimeSeconds)
			require.NotNil(t, l.ReadAt)
		})
	}
	require.NotEmpty(t, cpeStr(tendaGID, "Device.IP.Interface.2.IPv4Address.1.IPAddress"), "the DHCP router has a WAN address to show")

	// GPON ONTs: optical power at each vendor's path, in dBm; a router has none.
	var ont uuid.UUID
	for _, tc := range []struct {
		model  string
		n      int
		rx, tx string
	}{
		{"HG8245H", 2, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.TXPower"},
		{"F660", 0, "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower", "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.TXPower"},
	} {
		id, gid := b.owned(t, tc.model, tc.n)
		ont = id
		require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
		l, err := b.svc.Line(ctx, viewer, id)
		require.NoError(t, err)
		require.NotNil(t, l.OpticalRxDBm, tc.model)
		require.NotNil(t, l.OpticalTxDBm, tc.model)
		// The value GenieACS holds is the last inform's; the CPE's own moves on.
		require.InDelta(t, mustFloat(t, cpeStr(gid, tc.rx)), *l.OpticalRxDBm, 0.5, tc.model)
		require.InDelta(t, mustFloat(t, cpeStr(gid, tc.tx)), *l.OpticalTxDBm, 0.5, tc.model)
		require.Equal(t, action.DefaultOptical().Level(l.OpticalRxDBm), l.OpticalLevel)
		require.NotEmpty(t, l.OpticalLevel)
	}
	// The organization's own thresholds judge it.
	_, err = org.NewService(b.pool).SetOptical(ctx, b.as(t, actor.RoleAdmin), org.Optical{WeakDBm: -10, CriticalDBm: -40, OverloadDBm: -5})
	require.NoError(t, err)
	l, err := b.svc.Line(ctx, viewer, ont)
	require.NoError(t, err)
	require.Equal(t, "weak", l.OpticalLevel, "%v dBm is below this organization's -10", *l.OpticalRxDBm)

	tp, tpGID := b.owned(t, "Archer%20AX10", 1)
	require.NoError(t, b.sim.Inform(ctx, tpGID, "2 PERIODIC"))
	l, err = b.svc.Line(ctx, viewer, tp)
	require.NoError(t, err)
	require.Nil(t, l.OpticalRxDBm, "a router has no optics")
	require.Empty(t, l.OpticalLevel)

	id, _ := b.owned(t, "HG8245H", 1)
	stranger := b.stranger(t)
	_, err = b.svc.Line(ctx, stranger, id)
	require.ErrorIs(t, err, db.ErrNotFound)
	l, err = b.svc.Line(ctx, viewer, id)
	require.NoError(t, err)
	// Before any periodic inform GenieACS holds only what the inform
	// carried: the management connection's address (its connection
	// request URL's), no Wi-Fi, no PPP.
	require.Equal(t, action.Line{DeviceID: id, WANIP: l.WANIP, UptimeSeconds: l.UptimeSeconds, ReadAt: l.ReadAt}, l)
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, s)
	return f
}

// TestOpticalLevel: the received power's judgement at each default
// threshold, and at an organization's own.
func TestOpticalLevel(t *testing.T) {
	t.Parallel()
	th := action.DefaultOptical()
	for rx, want := range map[float64]string{-5: "overload", -7.99: "overload", -8: "good", -20: "good", -27: "good", -27.01: "weak", -30: "weak", -30.01: "critical", -40: "critical"} {
		require.Equal(t, want, th.Level(&rx), "%v dBm", rx)
	}
	require.Empty(t, th.Level(nil))
	own := action.OpticalThresholds{Weak: -25, Critical: -28, Overload: -10}
	rx := -26.0
	require.Equal(t, "weak", own.Level(&rx))
	require.Equal(t, "good", th.Level(&rx))
}
