package datamodel

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func tree(paths ...string) map[string]bool {
	m := map[string]bool{}
	for _, p := range paths {
		m[p] = true
	}
	return m
}

func TestResolve(t *testing.T) {
	t.Parallel()
	hw := Identity{Manufacturer: "Huawei Technologies Co., Ltd", OUI: "00259E", ProductClass: "HG8245H", Root: TR098}
	zteID := Identity{Manufacturer: "ZTE", OUI: "344B50", ProductClass: "F660", Root: TR098}
	tp := Identity{Manufacturer: "TP-Link", OUI: "50C7BF", ProductClass: "Archer AX10", Root: TR181}
	generic := Identity{Manufacturer: "Acme", OUI: "112233", Root: TR098}
	tests := []struct {
		name      string
		p         Param
		id        Identity
		tree      map[string]bool
		want      string
		wantFound bool
	}{
		{"PPPInstanceFromTree", PPPoEUsername, hw, tree(
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress",
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Username",
			"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.10.WANPPPConnection.1.Username",
		), "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Username", true},
		{"PPPUnresolvedWithoutTree", PPPoEUsername, hw, tree(), "", false},
		{"HuaweiKeyOverride", WiFiKey24, hw, tree(
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase",
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey",
		), "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey", true},
		{"HuaweiKeyDefaultBeforeSync", WiFiKey24, hw, tree(), "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey", false},
		{"ZTEKey", WiFiKey24, zteID, tree("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase"),
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase", true},
		{"GenericFallsBackToWhatTheTreeHas", WiFiKey24, generic, tree("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase"),
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase", true},
		{"TPLink5GHzIsSSID3", WiFiSSID5, tp, tree("Device.WiFi.SSID.3.SSID", "Device.WiFi.SSID.2.SSID"), "Device.WiFi.SSID.3.SSID", true},
		{"TR181PPP", PPPoEPassword, tp, tree("Device.PPP.Interface.1.Password"), "Device.PPP.Interface.1.Password", true},
		{"TR098ClientsAreTotalAssociations", WiFiClients24, generic, tree(), "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations", false},
		{"HuaweiCPUVendorPath", CPUUsage, hw, tree("InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed"), "InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed", true},
		{"MemoryUsedOnlyForVendors", MemoryUsed, generic, tree(), "", false},
		{"UnknownRoot", UpTime, Identity{}, tree(), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, found := Resolve(tt.p, tt.id, maps.Keys(tt.tree))
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantFound, found)
		})
	}
}

func TestTableIsComplete(t *testing.T) {
	t.Parallel()
	for p, m := range table {
		require.True(t, len(m.TR098)+len(m.TR181)+len(m.Overrides) > 0, p)
		for _, path := range append(slices.Clone(m.TR098), m.TR181...) {
			require.NotContains(t, path, "..", p)
			require.False(t, path[len(path)-1] == '.', "%s: %s", p, path)
		}
	}
	require.True(t, IsSecret(PPPoEPassword))
	require.True(t, IsSecret(WiFiKey5))
	require.False(t, IsSecret(WiFiSSID24))
}

func TestProvisionPathsCoverVendors(t *testing.T) {
	t.Parallel()
	pp := ProvisionPaths(HealthParams())
	require.Contains(t, pp[TR098], "InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed")
	require.Contains(t, pp[TR098], "InternetGatewayDevice.DeviceInfo.ProcessStatus.CPUUsage")
	require.Contains(t, pp[TR181], "Device.WiFi.AccessPoint.3.AssociatedDeviceNumberOfEntries")
	for _, p := range pp[TR181] {
		require.Regexp(t, `^Device\.`, p)
	}
}
