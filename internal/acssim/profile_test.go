package acssim

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProfilePaths pins the vendor paths the app's TR-098/TR-181 mapping
// relies on (anchors.md §2.3–2.4), with their types and writability.
func TestProfilePaths(t *testing.T) {
	t.Parallel()
	type p struct {
		path, typ string
		writable  bool
	}
	igd := "InternetGatewayDevice."
	common098 := func(ppp, key, cpu, mem, pon string) []p {
		return []p{
			{igd + "DeviceInfo.Manufacturer", "xsd:string", false},
			{igd + "DeviceInfo.ManufacturerOUI", "xsd:string", false},
			{igd + "DeviceInfo.ProductClass", "xsd:string", false},
			{igd + "DeviceInfo.SerialNumber", "xsd:string", false},
			{igd + "DeviceInfo.HardwareVersion", "xsd:string", false},
			{igd + "DeviceInfo.SoftwareVersion", "xsd:string", false},
			{igd + "DeviceInfo.UpTime", "xsd:unsignedInt", false},
			{igd + "DeviceInfo." + cpu, "xsd:unsignedInt", false},
			{igd + "DeviceInfo." + mem, "xsd:unsignedInt", false},
			{igd + "ManagementServer.URL", "xsd:string", true},
			{igd + "ManagementServer.PeriodicInformEnable", "xsd:boolean", true},
			{igd + "ManagementServer.PeriodicInformInterval", "xsd:unsignedInt", true},
			{igd + "ManagementServer.ConnectionRequestURL", "xsd:string", false},
			{igd + "ManagementServer.ConnectionRequestUsername", "xsd:string", true},
			{igd + "ManagementServer.ConnectionRequestPassword", "xsd:string", true},
			{igd + "ManagementServer.ParameterKey", "xsd:string", false},
			{ppp + "Enable", "xsd:boolean", true},
			{ppp + "Username", "xsd:string", true},
			{ppp + "Password", "xsd:string", true},
			{ppp + "ConnectionStatus", "xsd:string", false},
			{ppp + "ExternalIPAddress", "xsd:string", false},
			{ppp + "DNSServers", "xsd:string", true},
			{igd + "LANDevice.1.WLANConfiguration.1.SSID", "xsd:string", true},
			{igd + "LANDevice.1.WLANConfiguration.5.SSID", "xsd:string", true},
			{igd + "LANDevice.1.WLANConfiguration.1." + key, "xsd:string", true},
			{igd + "LANDevice.1.WLANConfiguration.5." + key, "xsd:string", true},
			{igd + "LANDevice.1.WLANConfiguration.1.Enable", "xsd:boolean", true},
			{igd + "LANDevice.1.WLANConfiguration.1.Channel", "xsd:unsignedInt", true},
			{igd + "LANDevice.1.WLANConfiguration.1.TotalAssociations", "xsd:unsignedInt", false},
			{igd + "LANDevice.1.WLANConfiguration.5.TotalAssociations", "xsd:unsignedInt", false},
			{igd + "LANDevice.1.Hosts.Host.1.MACAddress", "xsd:string", false},
			{igd + "WANDevice.1." + pon + ".RXPower", "xsd:string", false},
			{igd + "WANDevice.1." + pon + ".TXPower", "xsd:string", false},
			{igd + "DownloadDiagnostics.DiagnosticsState", "xsd:string", true},
			{igd + "DownloadDiagnostics.DownloadURL", "xsd:string", true},
			{igd + "DownloadDiagnostics.BOMTime", "xsd:dateTime", false},
			{igd + "DownloadDiagnostics.EOMTime", "xsd:dateTime", false},
			{igd + "DownloadDiagnostics.TestBytesReceived", "xsd:unsignedInt", false},
			{igd + "IPPingDiagnostics.Host", "xsd:string", true},
			{igd + "IPPingDiagnostics.AverageResponseTime", "xsd:unsignedInt", false},
		}
	}
	b := setup(t, setupOpts{})
	for _, tc := range []struct {
		profile string
		root    string
		paths   func(d *device) []p
		absent  []string
	}{
		{ProfileHuaweiHG8245H, "InternetGatewayDevice", func(d *device) []p {
			ppp := strings.TrimSuffix(d.tpl.lp.pppUser, "Username")
			return append(common098(ppp, "PreSharedKey.1.PreSharedKey", "X_HW_CpuUsed", "X_HW_MemUsed", "X_GponInterafceConfig"),
				p{igd + "LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase", "xsd:string", true},
				p{igd + "LANDevice.1.WLANConfiguration.1.KeyPassphrase", "xsd:string", true},
				p{igd + "WANDevice.1.X_GponInterafceConfig.Stats.BytesSent", "xsd:unsignedInt", false},
				p{igd + "WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived", "xsd:unsignedInt", false},
			)
		}, []string{igd + "DeviceInfo.MemoryStatus.Free"}},
		{ProfileZTEF660, "InternetGatewayDevice", func(d *device) []p {
			return append(common098(igd+"WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.", "PreSharedKey.1.KeyPassphrase", "X_ZTE-COM_CpuUsed", "X_ZTE-COM_MemUsed", "X_ZTE-COM_WANPONInterfaceConfig"),
				p{igd + "DeviceInfo.MemoryStatus.Total", "xsd:unsignedInt", false},
				p{igd + "DeviceInfo.MemoryStatus.Free", "xsd:unsignedInt", false},
				p{igd + "DeviceInfo.ProcessStatus.CPUUsage", "xsd:unsignedInt", false},
			)
		}, nil},
		{ProfileTPLinkAX10, "Device", func(*device) []p {
			return []p{
				{"Device.DeviceInfo.SoftwareVersion", "xsd:string", false},
				{"Device.DeviceInfo.UpTime", "xsd:unsignedInt", false},
				{"Device.DeviceInfo.MemoryStatus.Total", "xsd:unsignedInt", false},
				{"Device.DeviceInfo.MemoryStatus.Free", "xsd:unsignedInt", false},
				{"Device.DeviceInfo.ProcessStatus.CPUUsage", "xsd:unsignedInt", false},
				{"Device.ManagementServer.PeriodicInformInterval", "xsd:unsignedInt", true},
				{"Device.PPP.Interface.1.Enable", "xsd:boolean", true},
				{"Device.PPP.Interface.1.Username", "xsd:string", true},
				{"Device.PPP.Interface.1.Password", "xsd:string", true},
				{"Device.PPP.Interface.1.ConnectionStatus", "xsd:string", false},
				{"Device.IP.Interface.1.Name", "xsd:string", false},
				{"Device.IP.Interface.2.Stats.BytesSent", "xsd:unsignedLong", false},
				{"Device.IP.Interface.2.Stats.BytesReceived", "xsd:unsignedLong", false},
				{"Device.WiFi.SSID.1.SSID", "xsd:string", true},
				{"Device.WiFi.SSID.3.SSID", "xsd:string", true},
				{"Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "xsd:string", true},
				{"Device.WiFi.AccessPoint.3.Security.KeyPassphrase", "xsd:string", true},
				{"Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries", "xsd:unsignedInt", false},
				{"Device.DNS.Client.Server.1.DNSServer", "xsd:string", true},
				{"Device.DNS.Client.Server.2.DNSServer", "xsd:string", true},
				{"Device.IP.Diagnostics.DownloadDiagnostics.DiagnosticsState", "xsd:string", true},
				{"Device.IP.Diagnostics.IPPing.MaximumResponseTime", "xsd:unsignedInt", false},
			}
		}, []string{"Device.WiFi.AccessPoint.1.TotalAssociations"}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			id := b.addDevice(t, tc.profile)
			d := b.sim.byID[id]
			require.Equal(t, tc.root, d.tpl.root)
			for _, want := range tc.paths(d) {
				r, ok := b.sim.resolve(d, want.path)
				require.True(t, ok, want.path)
				n := d.tpl.nodes[r.node]
				require.Equal(t, want.typ, n.typ.xsd(), want.path)
				require.Equal(t, want.writable, n.w, want.path)
			}
			for _, path := range tc.absent {
				_, ok := b.sim.resolve(d, path)
				require.False(t, ok, path)
			}
		})
	}
	t.Run("HuaweiPPPInstanceVariesBetweenUnits", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 30; i++ {
			id, err := b.sim.AddDevice(ProfileHuaweiHG8245H, "")
			require.NoError(t, err)
			seen[b.sim.byID[id].tpl.lp.pppUser] = true
		}
		require.Len(t, seen, 3, "WANConnectionDevice 1, 2 and 4")
	})
	t.Run("SerialFormats", func(t *testing.T) {
		for profile, re := range map[string]string{
			ProfileHuaweiHG8245H: `^48575443[0-9A-F]{8}$`,
			ProfileZTEF660:       `^ZTEG[0-9A-F]{8}$`,
			ProfileTPLinkAX10:    `^[0-9]{13}$`,
		} {
			id, err := b.sim.AddDevice(profile, "")
			require.NoError(t, err)
			require.Regexp(t, re, b.sim.byID[id].serial)
		}
	})
	t.Run("SameSeedSameFleet", func(t *testing.T) {
		a, err := New(Options{Devices: 20, Seed: 77})
		require.NoError(t, err)
		c, err := New(Options{Devices: 20, Seed: 77})
		require.NoError(t, err)
		require.Equal(t, a.DeviceIDs(), c.DeviceIDs())
		d, err := New(Options{Devices: 20, Seed: 78})
		require.NoError(t, err)
		require.NotEqual(t, a.DeviceIDs(), d.DeviceIDs())
	})
	t.Run("ProfileWeights", func(t *testing.T) {
		s, err := New(Options{Devices: 10, Profiles: map[string]int{ProfileHuaweiHG8245H: 50, ProfileZTEF660: 30, ProfileTPLinkAX10: 20}})
		require.NoError(t, err)
		count := map[string]int{}
		for _, d := range s.devs {
			count[d.tpl.prof.name]++
		}
		require.Equal(t, map[string]int{ProfileHuaweiHG8245H: 5, ProfileZTEF660: 3, ProfileTPLinkAX10: 2}, count)
		_, err = New(Options{Devices: 1, Profiles: map[string]int{"nokia-g2425": 1}})
		require.ErrorContains(t, err, `unknown profile "nokia-g2425"`)
	})
}
