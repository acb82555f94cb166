package datamodel

import (
	"errors"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeriveCaps(t *testing.T) {
	t.Parallel()
	hw := Identity{Manufacturer: "Huawei Technologies Co., Ltd", OUI: "00259E", ProductClass: "HG8245H", Root: TR098}
	zteID := Identity{Manufacturer: "ZTE", OUI: "344B50", ProductClass: "F660", Root: TR098}
	gw := Identity{Manufacturer: "Tenda", OUI: "C83A35", ProductClass: "N301", Root: TR181}
	const (
		igdMarker = "InternetGatewayDevice.ManagementServer.URL"
		devMarker = "Device.ManagementServer.URL"
		hwPPP     = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Username"
	)
	tests := []struct {
		name      string
		id        Identity
		tree      map[string]bool
		wantKnown bool
		want      Caps
	}{
		{"NothingDiscoveredIsUnknown", hw, map[string]bool{hwPPP: true}, false, nil},
		{"PPPInAnyConnectionDevice", hw, map[string]bool{igdMarker: true, hwPPP: true}, true, Caps{CapPPPoE: true}},
		{"ReadOnlyPPP", hw, map[string]bool{igdMarker: true, hwPPP: false}, true, Caps{CapPPPoE: false}},
		{"HuaweiOpticalAndDiagnostics", hw, map[string]bool{igdMarker: true,
			"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower": false,
			"InternetGatewayDevice.IPPingDiagnostics.DiagnosticsState":        true,
			"InternetGatewayDevice.DownloadDiagnostics.DiagnosticsState":      true,
			"InternetGatewayDevice.LANDevice.1.Hosts.HostNumberOfEntries":     false,
		}, true, Caps{CapOptical: false, CapPing: true, CapDownloadTest: true, CapHosts: false}},
		{"ZTESiteSurveyIsNotDriven", zteID, map[string]bool{igdMarker: true,
			"InternetGatewayDevice.LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP": false,
		}, true, Caps{}},
		{"PlainGateway", gw, map[string]bool{devMarker: true, "Device.WiFi.SSID.1.SSID": true, "Device.Hosts.HostNumberOfEntries": false},
			true, Caps{CapWiFi24: true, CapHosts: false}},
		{"TR181Everything", gw, map[string]bool{devMarker: true, "Device.PPP.Interface.2.Username": true,
			"Device.WiFi.SSID.2.SSID": true, "Device.IP.Diagnostics.TraceRoute.DiagnosticsState": true,
			"Device.WiFi.NeighboringWiFiDiagnostic.DiagnosticsState": true, "Device.Optical.Interface.1.OpticalSignalLevel": false,
			"Device.IP.Diagnostics.UploadDiagnostics.DiagnosticsState": true,
		}, true, Caps{CapPPPoE: true, CapWiFi5: true, CapTraceroute: true, CapNeighbourScan: true, CapOptical: false, CapUploadTest: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, known := DeriveCaps(tt.id, tt.tree, func(p string) bool { return p == igdMarker || p == devMarker })
			require.Equal(t, tt.wantKnown, known)
			require.Equal(t, tt.want, got)
		})
	}
}

// A marker known by name only (its object was listed, as the bootstrap
// does) is not the discovery.
func TestAListedMarkerIsNotTheDiscovery(t *testing.T) {
	t.Parallel()
	hw := Identity{Manufacturer: "Huawei Technologies Co., Ltd", OUI: "00259E", ProductClass: "HG8245H", Root: TR098}
	caps, known := DeriveCaps(hw, map[string]bool{"InternetGatewayDevice.ManagementServer.URL": true,
		"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Username": true}, func(string) bool { return false })
	require.False(t, known)
	require.Nil(t, caps)
}

func TestCapsWhy(t *testing.T) {
	t.Parallel()
	caps := Caps{CapPPPoE: false, CapWiFi24: true, CapHosts: false}
	tests := []struct {
		name string
		caps Caps
		c    Capability
		want string
	}{
		{"UnknownRefusesNothing", nil, CapPPPoE, ""},
		{"Has", caps, CapWiFi24, ""},
		{"Lacks", caps, CapPing, "this device has no ping diagnostics (IPPing); a ping cannot run"},
		{"ReadOnlyWhereWritten", caps, CapPPPoE, "this device's PPP connection is read-only; PPPoE cannot be pushed"},
		{"ReadOnlyIsEnoughToRead", caps, CapHosts, ""},
		{"NoPPP", Caps{}, CapPPPoE, "this device has no PPP connection; PPPoE cannot be pushed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.caps.Why(tt.c))
			err := tt.caps.Need(tt.c)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			var me *MissingError
			require.True(t, errors.As(err, &me))
			require.Equal(t, tt.c, me.Capability)
		})
	}
}

// Every capability has a label and its reasons; the discovery looks for
// every capability's evidence on both data models where it is mapped.
func TestEveryCapabilityIsDescribed(t *testing.T) {
	t.Parallel()
	paths := ProvisionPaths(CapabilityParams())
	for _, info := range Capabilities() {
		require.NotEmpty(t, info.Label, info.Name)
		require.NotEmpty(t, info.Lacks, info.Name)
		require.Equal(t, info.Write, info.ReadOnly != "", info.Name)
		m, ok := Lookup(info.Evidence)
		require.True(t, ok, info.Name)
		for _, c := range m.TR181 {
			require.Contains(t, paths[TR181], c)
		}
	}
}

// TestOpticalMapping: each vendor's optical path resolves on its tree and
// its reading converts to dBm (TR-181 counts 0.002 dBm; the TR-098 vendor
// paths report dBm).
func TestOpticalMapping(t *testing.T) {
	t.Parallel()
	hw := Identity{Manufacturer: "Huawei Technologies Co., Ltd", OUI: "00259E", ProductClass: "HG8245H", Root: TR098}
	zteID := Identity{Manufacturer: "ZTE", OUI: "344B50", ProductClass: "F660", Root: TR098}
	ont181 := Identity{Manufacturer: "Acme", OUI: "112233", ProductClass: "XGS", Root: TR181}
	generic := Identity{Manufacturer: "Acme", OUI: "112233", Root: TR098}
	tests := []struct {
		name     string
		id       Identity
		p        Param
		path     string
		raw, dbm float64
	}{
		{"HuaweiRx", hw, OpticalRxPower, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", -21.37, -21.37},
		{"HuaweiTx", hw, OpticalTxPower, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.TXPower", 2.1, 2.1},
		{"ZTERx", zteID, OpticalRxPower, "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower", -28.4, -28.4},
		{"ZTETx", zteID, OpticalTxPower, "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.TXPower", 1.9, 1.9},
		{"TR181Rx", ont181, OpticalRxPower, "Device.Optical.Interface.1.OpticalSignalLevel", -10500, -21},
		{"TR181Tx", ont181, OpticalTxPower, "Device.Optical.Interface.1.TransmitOpticalLevel", 1250, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, found := Resolve(tt.p, tt.id, maps.Keys(map[string]bool{tt.path: true}))
			require.True(t, found)
			require.Equal(t, tt.path, got)
			require.InDelta(t, tt.dbm, OpticalDBm(tt.id.Root, tt.raw), 0.001)
		})
	}
	t.Run("NoStandardTR098Path", func(t *testing.T) {
		t.Parallel()
		_, found := Resolve(OpticalRxPower, generic, maps.Keys(map[string]bool{"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower": true}))
		require.False(t, found, "a vendor's path is not read on another vendor's device")
	})
}
