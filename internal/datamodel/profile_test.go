package datamodel_test

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// TestResolveOnSimulatorProfiles resolves every logical parameter on each
// simulated model's whole parameter tree, freshly fetched (as GenieACS
// documents it after a refresh of the root): the table must find what each
// device has, with the vendor's own paths.
func TestResolveOnSimulatorProfiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 30, Seed: 3})
	u, err := url.Parse(sim.NBIURL)
	require.NoError(t, err)
	c, err := genieacs.New(genieacs.Config{NBIURL: u})
	require.NoError(t, err)

	device := func(productClass string) *genieacs.Device {
		for _, id := range sim.DeviceIDs() {
			if strings.Contains(id, "-"+productClass+"-") {
				// GenieACS knows only what was fetched: read the whole tree.
				res, err := c.CreateTask(ctx, id, genieacs.RefreshObject(""), genieacs.TaskOptions{ConnectionRequest: true})
				require.NoError(t, err)
				require.Equal(t, genieacs.OutcomeDone, res.Outcome, res.Reason)
				d, err := c.GetDevice(ctx, id, nil)
				require.NoError(t, err)
				return d
			}
		}
		t.Fatalf("no %s", productClass)
		return nil
	}
	identity := func(d *genieacs.Device) datamodel.Identity {
		return datamodel.Identity{Manufacturer: d.Identity.Manufacturer, OUI: d.Identity.OUI, ProductClass: d.Identity.ProductClass, Root: d.Root()}
	}
	huawei, zte, tplink := device("HG8245H"), device("F660"), device("Archer%20AX10")

	// Expected exact paths where the vendor matters; patterns (regexp) where
	// the device decides the instance.
	tests := []struct {
		dev  *genieacs.Device
		p    datamodel.Param
		want string // "~" prefix: a regular expression
	}{
		{huawei, datamodel.PPPoEUsername, `~^InternetGatewayDevice\.WANDevice\.1\.WANConnectionDevice\.[124]\.WANPPPConnection\.1\.Username$`},
		{huawei, datamodel.WiFiKey24, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"},
		{huawei, datamodel.WiFiKey5, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey"},
		{huawei, datamodel.WiFiClients24, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations"},
		{huawei, datamodel.CPUUsage, "InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed"},
		{huawei, datamodel.MemoryUsed, "InternetGatewayDevice.DeviceInfo.X_HW_MemUsed"},
		{huawei, datamodel.OpticalRxPower, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower"},
		{huawei, datamodel.WANBytesReceived, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived"},
		{huawei, datamodel.DownloadEOMTime, "InternetGatewayDevice.DownloadDiagnostics.EOMTime"},
		{huawei, datamodel.PingAverageTime, "InternetGatewayDevice.IPPingDiagnostics.AverageResponseTime"},
		{zte, datamodel.PPPoEPassword, "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Password"},
		{zte, datamodel.WiFiKey24, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase"},
		{zte, datamodel.CPUUsage, "InternetGatewayDevice.DeviceInfo.X_ZTE-COM_CpuUsed"},
		{zte, datamodel.MemoryFree, "InternetGatewayDevice.DeviceInfo.MemoryStatus.Free"},
		{zte, datamodel.OpticalRxPower, "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower"},
		{zte, datamodel.NeighbourScanState, "InternetGatewayDevice.LANDevice.1.WIFI.Radio.1.DiagnosticsState"},
		{zte, datamodel.NeighbourScanState5, "InternetGatewayDevice.LANDevice.1.WIFI.Radio.2.DiagnosticsState"},
		{zte, datamodel.DNSServers, `~^InternetGatewayDevice\.WANDevice\.1\.WANConnectionDevice\.\d+\.WANPPPConnection\.\d+\.DNSServers$`},
		{tplink, datamodel.PPPoEUsername, "Device.PPP.Interface.1.Username"},
		{tplink, datamodel.WiFiSSID5, "Device.WiFi.SSID.3.SSID"},
		{tplink, datamodel.WiFiKey5, "Device.WiFi.AccessPoint.3.Security.KeyPassphrase"},
		{tplink, datamodel.WiFiClients24, "Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries"},
		{tplink, datamodel.WANBytesSent, "Device.IP.Interface.2.Stats.BytesSent"},
		{tplink, datamodel.CPUUsage, "Device.DeviceInfo.ProcessStatus.CPUUsage"},
		{tplink, datamodel.DNSServers, "Device.DNS.Client.Server.1.DNSServer"},
		{tplink, datamodel.DownloadBOMTime, "Device.IP.Diagnostics.DownloadDiagnostics.BOMTime"},
		{tplink, datamodel.PingSuccessCount, "Device.IP.Diagnostics.IPPing.SuccessCount"},
	}
	for _, tt := range tests {
		t.Run(tt.dev.Identity.ProductClass+"/"+string(tt.p), func(t *testing.T) {
			t.Parallel()
			got, found := datamodel.Resolve(tt.p, identity(tt.dev), maps.Keys(tt.dev.Params))
			require.True(t, found, "resolved on the device's tree")
			if re, ok := strings.CutPrefix(tt.want, "~"); ok {
				require.Regexp(t, re, got)
			} else {
				require.Equal(t, tt.want, got)
			}
		})
	}

	t.Run("EveryParamResolvesWhereTheModelHasIt", func(t *testing.T) {
		t.Parallel()
		// The neighbour scan only the TR-181 router and the ZTE have; the traceroute
		// hops and scan results are a provision's patterns, not paths.
		absent := []datamodel.Param{datamodel.NeighbourScanState, datamodel.NeighbourScanState5, datamodel.NeighbourScanCount, datamodel.TraceRouteHops, datamodel.NeighbourScanResults}
		for _, d := range []*genieacs.Device{huawei, zte, tplink} {
			missing := []datamodel.Param{}
			for _, p := range datamodel.Params() {
				if _, found := datamodel.Resolve(p, identity(d), maps.Keys(d.Params)); !found && !slices.Contains(absent, p) {
					missing = append(missing, p)
				}
			}
			t.Logf("%s lacks %v", d.Identity.ProductClass, missing)
			require.LessOrEqual(t, len(missing), 3, "%s: %v", d.Identity.ProductClass, missing)
		}
	})
}
