// Package datamodel maps each logical CPE parameter (PPPoE username, Wi-Fi
// key, health metrics, diagnostics, ...) to its TR-181 and TR-098 paths, with
// per-vendor overrides, and resolves the path a given device really has.
//
// This file is the single source of truth: the services resolve through it,
// and the GenieACS provisions are rendered from it (provisions/, see
// HealthPaths), so the two never disagree.
//
// Sources: reference/anchors.md §2.3 (TR-181 ↔ TR-098 table) and §2.4
// (vendor quirks). Facts that matter here:
//   - TR-098 PPP instance numbers vary (WANConnectionDevice.{j}), so PPP
//     paths are patterns resolved against the device's synced tree.
//   - Huawei keeps the Wi-Fi key in PreSharedKey.1.PreSharedKey, ZTE in
//     PreSharedKey.1.KeyPassphrase, TP-Link TR-098 models in X_TP_Password.
//   - TR-098 counts Wi-Fi clients with TotalAssociations (there is no
//     AssociatedDeviceNumberOfEntries); TR-181's IP.Interface.1 is usually
//     the LAN bridge, so the WAN interface is not assumed to be 1.
//   - TR-098 DNS is one comma-separated DNSServers list on the connection.
package datamodel

import (
	"iter"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Param is a logical parameter.
type Param string

// The logical parameters.
const (
	PPPoEUsername Param = "pppoe.username"
	PPPoEPassword Param = "pppoe.password"
	PPPoEEnable   Param = "pppoe.enable"
	PPPoEStatus   Param = "pppoe.status"

	WiFiSSID24    Param = "wifi.2g.ssid"
	WiFiKey24     Param = "wifi.2g.key"
	WiFiClients24 Param = "wifi.2g.clients"
	WiFiSSID5     Param = "wifi.5g.ssid"
	WiFiKey5      Param = "wifi.5g.key"
	WiFiClients5  Param = "wifi.5g.clients"

	PeriodicInformEnable   Param = "inform.enable"
	PeriodicInformInterval Param = "inform.interval"

	UpTime           Param = "health.uptime"
	SoftwareVersion  Param = "health.software_version"
	HardwareVersion  Param = "health.hardware_version"
	CPUUsage         Param = "health.cpu_percent"
	MemoryFree       Param = "health.memory_free_kib"
	MemoryTotal      Param = "health.memory_total_kib"
	MemoryUsed       Param = "health.memory_used_percent" // vendors that report a percentage instead
	WANBytesSent     Param = "health.wan_bytes_sent"
	WANBytesReceived Param = "health.wan_bytes_received"
	OpticalRxPower   Param = "health.optical_rx"
	OpticalTxPower   Param = "health.optical_tx"
	DNSServers       Param = "dns.servers"

	// The WAN as support reads it: the address (the PPP connection's
	// first on TR-098; on TR-181 every IPv4 address with its addressing
	// type, the WAN being the one not Static) and an IP connection's status.
	WANIPAddress       Param = "wan.ip"
	WANIPStatus        Param = "wan.ip.status"
	IPv4AddressingType Param = "ip.v4.addressing"

	DownloadState      Param = "diag.download.state"
	DownloadURL        Param = "diag.download.url"
	DownloadBOMTime    Param = "diag.download.bom_time"
	DownloadEOMTime    Param = "diag.download.eom_time"
	DownloadTestBytes  Param = "diag.download.test_bytes"
	DownloadTotalBytes Param = "diag.download.total_bytes"
	PingState          Param = "diag.ping.state"
	PingHost           Param = "diag.ping.host"
	PingRepetitions    Param = "diag.ping.repetitions"
	PingTimeout        Param = "diag.ping.timeout"
	PingSuccessCount   Param = "diag.ping.success"
	PingFailureCount   Param = "diag.ping.failure"
	PingAverageTime    Param = "diag.ping.avg_ms"
	PingMinimumTime    Param = "diag.ping.min_ms"
	PingMaximumTime    Param = "diag.ping.max_ms"

	UploadState          Param = "diag.upload.state"
	UploadURL            Param = "diag.upload.url"
	UploadTestFileLength Param = "diag.upload.test_file_length" // bytes to send; 0 lets the CPE choose
	UploadBOMTime        Param = "diag.upload.bom_time"
	UploadEOMTime        Param = "diag.upload.eom_time"
	UploadTotalBytesSent Param = "diag.upload.total_bytes_sent"

	TraceRouteHost         Param = "diag.traceroute.host"
	TraceRouteTries        Param = "diag.traceroute.tries"
	TraceRouteMaxHops      Param = "diag.traceroute.max_hops"
	TraceRouteResponseTime Param = "diag.traceroute.response_ms"
	TraceRouteHopCount     Param = "diag.traceroute.hop_count"
	// Wi-Fi channels: the radio's channel and its automatic choice (off
	// when staff set one).
	WiFiChannel24     Param = "wifi.2g.channel"
	WiFiChannel5      Param = "wifi.5g.channel"
	WiFiAutoChannel24 Param = "wifi.2g.auto_channel"
	WiFiAutoChannel5  Param = "wifi.5g.auto_channel"
	// NeighbourScanResults is the neighbouring networks' values, a pattern
	// for provisions.
	NeighbourScanResults Param = "diag.neighbour.results"
	NeighbourScanCount   Param = "diag.neighbour.count"
	// NeighbourScanState5 is a second radio's scan state where each radio
	// scans on its own (ZTE's TR-098 site survey): both are requested.
	NeighbourScanState5 Param = "diag.neighbour.state5"

	// TraceRouteHops is the hops table's values, a pattern for provisions
	// (a CPE creates the instances as it runs the test).
	TraceRouteHops Param = "diag.traceroute.hops"
)

// Roots.
const (
	TR098 = "InternetGatewayDevice"
	TR181 = "Device"
)

// Identity is what overrides match on. One vendor ships many OUIs, so the
// manufacturer string matters too.
type Identity struct {
	Manufacturer string
	OUI          string
	ProductClass string
	Root         string // TR098 or TR181
}

// Match selects devices for an override; empty fields match anything, and
// at least one of Manufacturer and OUIs must match when set.
type Match struct {
	Manufacturer   string   // case-insensitive substring, e.g. "huawei"
	OUIs           []string // upper-case
	ProductClasses []string // exact
}

func (m Match) matches(id Identity) bool {
	vendor := m.Manufacturer == "" && len(m.OUIs) == 0
	if m.Manufacturer != "" && strings.Contains(strings.ToLower(id.Manufacturer), m.Manufacturer) {
		vendor = true
	}
	if slices.Contains(m.OUIs, strings.ToUpper(id.OUI)) {
		vendor = true
	}
	if !vendor {
		return false
	}
	return len(m.ProductClasses) == 0 || slices.Contains(m.ProductClasses, id.ProductClass)
}

// Override gives a vendor's paths, tried before the standard ones.
type Override struct {
	Match Match
	TR098 []string
	TR181 []string
}

// Mapping is one logical parameter's paths. Each is a candidate pattern:
// '*' stands for an instance number and is resolved against the device's
// tree. Candidates are tried in order; Secret marks values CPEs read back
// as "" (never compare them).
type Mapping struct {
	TR098     []string
	TR181     []string
	Overrides []Override
	Secret    bool
}

const (
	igdPPP = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANPPPConnection.*."
	igdIP  = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANIPConnection.*."
	igdW24 = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1."
	igdW5  = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5."
	// zteRadio is ZTE's per-radio Wi-Fi object (site survey).
	zteRadio = "InternetGatewayDevice.LANDevice.1.WIFI.Radio."
	igdDL    = "InternetGatewayDevice.DownloadDiagnostics."
	igdUL    = "InternetGatewayDevice.UploadDiagnostics."
	igdPg    = "InternetGatewayDevice.IPPingDiagnostics."
	devDL    = "Device.IP.Diagnostics.DownloadDiagnostics."
	devUL    = "Device.IP.Diagnostics.UploadDiagnostics."
	devPg    = "Device.IP.Diagnostics.IPPing."
	igdTR    = "InternetGatewayDevice.TraceRouteDiagnostics."
	devTR    = "Device.IP.Diagnostics.TraceRoute."
)

var (
	huawei = Match{Manufacturer: "huawei", OUIs: []string{"00259E", "00E0FC", "4C1FCC", "E0247F"}}
	zte    = Match{Manufacturer: "zte", OUIs: []string{"344B50", "CC1AFA", "D4C1C8"}}
	tplink = Match{Manufacturer: "tp-link", OUIs: []string{"50C7BF", "F4F26D", "98DAC4"}}
)

// table is every logical parameter's mapping (Lookup, Params).
var table = map[Param]Mapping{
	PPPoEUsername: {TR098: []string{igdPPP + "Username"}, TR181: []string{"Device.PPP.Interface.*.Username"}},
	PPPoEPassword: {TR098: []string{igdPPP + "Password"}, TR181: []string{"Device.PPP.Interface.*.Password"}, Secret: true},
	PPPoEEnable:   {TR098: []string{igdPPP + "Enable"}, TR181: []string{"Device.PPP.Interface.*.Enable"}},
	PPPoEStatus:   {TR098: []string{igdPPP + "ConnectionStatus"}, TR181: []string{"Device.PPP.Interface.*.ConnectionStatus", "Device.PPP.Interface.*.Status"}},

	WiFiSSID24: {TR098: []string{igdW24 + "SSID"}, TR181: []string{"Device.WiFi.SSID.1.SSID"}},
	WiFiKey24: {
		TR098: []string{igdW24 + "KeyPassphrase", igdW24 + "PreSharedKey.1.KeyPassphrase"},
		TR181: []string{"Device.WiFi.AccessPoint.1.Security.KeyPassphrase"},
		Overrides: []Override{
			{Match: huawei, TR098: []string{igdW24 + "PreSharedKey.1.PreSharedKey"}},
			{Match: zte, TR098: []string{igdW24 + "PreSharedKey.1.KeyPassphrase"}},
			{Match: tplink, TR098: []string{igdW24 + "X_TP_Password"}},
		},
		Secret: true,
	},
	WiFiClients24: {TR098: []string{igdW24 + "TotalAssociations"}, TR181: []string{"Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries"}},
	WiFiSSID5: {TR098: []string{igdW5 + "SSID"}, TR181: []string{"Device.WiFi.SSID.2.SSID"},
		Overrides: []Override{{Match: tplink, TR181: []string{"Device.WiFi.SSID.3.SSID"}}}},
	WiFiKey5: {
		TR098: []string{igdW5 + "KeyPassphrase", igdW5 + "PreSharedKey.1.KeyPassphrase"},
		TR181: []string{"Device.WiFi.AccessPoint.2.Security.KeyPassphrase"},
		Overrides: []Override{
			{Match: huawei, TR098: []string{igdW5 + "PreSharedKey.1.PreSharedKey"}},
			{Match: zte, TR098: []string{igdW5 + "PreSharedKey.1.KeyPassphrase"}},
			{Match: tplink, TR098: []string{igdW5 + "X_TP_Password"}, TR181: []string{"Device.WiFi.AccessPoint.3.Security.KeyPassphrase"}},
		},
		Secret: true,
	},
	WiFiClients5: {TR098: []string{igdW5 + "TotalAssociations"}, TR181: []string{"Device.WiFi.AccessPoint.2.AssociatedDeviceNumberOfEntries"},
		Overrides: []Override{{Match: tplink, TR181: []string{"Device.WiFi.AccessPoint.3.AssociatedDeviceNumberOfEntries"}}}},

	PeriodicInformEnable:   {TR098: []string{"InternetGatewayDevice.ManagementServer.PeriodicInformEnable"}, TR181: []string{"Device.ManagementServer.PeriodicInformEnable"}},
	PeriodicInformInterval: {TR098: []string{"InternetGatewayDevice.ManagementServer.PeriodicInformInterval"}, TR181: []string{"Device.ManagementServer.PeriodicInformInterval"}},

	UpTime:          {TR098: []string{"InternetGatewayDevice.DeviceInfo.UpTime"}, TR181: []string{"Device.DeviceInfo.UpTime"}},
	SoftwareVersion: {TR098: []string{"InternetGatewayDevice.DeviceInfo.SoftwareVersion"}, TR181: []string{"Device.DeviceInfo.SoftwareVersion"}},
	HardwareVersion: {TR098: []string{"InternetGatewayDevice.DeviceInfo.HardwareVersion"}, TR181: []string{"Device.DeviceInfo.HardwareVersion"}},
	CPUUsage: {TR098: []string{"InternetGatewayDevice.DeviceInfo.ProcessStatus.CPUUsage"}, TR181: []string{"Device.DeviceInfo.ProcessStatus.CPUUsage"},
		Overrides: []Override{
			{Match: huawei, TR098: []string{"InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed"}},
			{Match: zte, TR098: []string{"InternetGatewayDevice.DeviceInfo.X_ZTE-COM_CpuUsed"}},
		}},
	MemoryFree:  {TR098: []string{"InternetGatewayDevice.DeviceInfo.MemoryStatus.Free"}, TR181: []string{"Device.DeviceInfo.MemoryStatus.Free"}},
	MemoryTotal: {TR098: []string{"InternetGatewayDevice.DeviceInfo.MemoryStatus.Total"}, TR181: []string{"Device.DeviceInfo.MemoryStatus.Total"}},
	MemoryUsed: {Overrides: []Override{
		{Match: huawei, TR098: []string{"InternetGatewayDevice.DeviceInfo.X_HW_MemUsed"}},
		{Match: zte, TR098: []string{"InternetGatewayDevice.DeviceInfo.X_ZTE-COM_MemUsed"}},
	}},
	WANBytesSent: {
		TR098: []string{"InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesSent", igdPPP + "Stats.EthernetBytesSent", igdIP + "Stats.EthernetBytesSent"},
		TR181: []string{"Device.IP.Interface.2.Stats.BytesSent", "Device.IP.Interface.1.Stats.BytesSent"},
		Overrides: []Override{
			{Match: huawei, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.Stats.BytesSent"}},
			{Match: zte, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Stats.BytesSent"}},
		},
	},
	WANBytesReceived: {
		TR098: []string{"InternetGatewayDevice.WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived", igdPPP + "Stats.EthernetBytesReceived", igdIP + "Stats.EthernetBytesReceived"},
		TR181: []string{"Device.IP.Interface.2.Stats.BytesReceived", "Device.IP.Interface.1.Stats.BytesReceived"},
		Overrides: []Override{
			{Match: huawei, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived"}},
			{Match: zte, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Stats.BytesReceived"}},
		},
	},
	OpticalRxPower: {TR181: []string{"Device.Optical.Interface.1.OpticalSignalLevel"}, Overrides: []Override{
		{Match: huawei, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower"}},
		{Match: zte, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower"}},
	}},
	OpticalTxPower: {TR181: []string{"Device.Optical.Interface.1.TransmitOpticalLevel"}, Overrides: []Override{
		{Match: huawei, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.TXPower"}},
		{Match: zte, TR098: []string{"InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.TXPower"}},
	}},
	WANIPAddress:       {TR098: []string{igdPPP + "ExternalIPAddress", igdIP + "ExternalIPAddress"}, TR181: []string{"Device.IP.Interface.*.IPv4Address.*.IPAddress"}},
	WANIPStatus:        {TR098: []string{igdIP + "ConnectionStatus"}, TR181: []string{"Device.IP.Interface.*.Status"}},
	IPv4AddressingType: {TR181: []string{"Device.IP.Interface.*.IPv4Address.*.AddressingType"}},
	DNSServers:         {TR098: []string{igdPPP + "DNSServers", igdIP + "DNSServers"}, TR181: []string{"Device.DNS.Client.Server.*.DNSServer"}},

	DownloadState:      {TR098: []string{igdDL + "DiagnosticsState"}, TR181: []string{devDL + "DiagnosticsState"}},
	DownloadURL:        {TR098: []string{igdDL + "DownloadURL"}, TR181: []string{devDL + "DownloadURL"}},
	DownloadBOMTime:    {TR098: []string{igdDL + "BOMTime"}, TR181: []string{devDL + "BOMTime"}},
	DownloadEOMTime:    {TR098: []string{igdDL + "EOMTime"}, TR181: []string{devDL + "EOMTime"}},
	DownloadTestBytes:  {TR098: []string{igdDL + "TestBytesReceived"}, TR181: []string{devDL + "TestBytesReceived"}},
	DownloadTotalBytes: {TR098: []string{igdDL + "TotalBytesReceived"}, TR181: []string{devDL + "TotalBytesReceived"}},
	PingState:          {TR098: []string{igdPg + "DiagnosticsState"}, TR181: []string{devPg + "DiagnosticsState"}},
	PingHost:           {TR098: []string{igdPg + "Host"}, TR181: []string{devPg + "Host"}},
	PingRepetitions:    {TR098: []string{igdPg + "NumberOfRepetitions"}, TR181: []string{devPg + "NumberOfRepetitions"}},
	PingTimeout:        {TR098: []string{igdPg + "Timeout"}, TR181: []string{devPg + "Timeout"}},
	PingSuccessCount:   {TR098: []string{igdPg + "SuccessCount"}, TR181: []string{devPg + "SuccessCount"}},
	PingFailureCount:   {TR098: []string{igdPg + "FailureCount"}, TR181: []string{devPg + "FailureCount"}},
	PingAverageTime:    {TR098: []string{igdPg + "AverageResponseTime"}, TR181: []string{devPg + "AverageResponseTime"}},
	PingMinimumTime:    {TR098: []string{igdPg + "MinimumResponseTime", igdPg + "MinimumResponseTmie"}, TR181: []string{devPg + "MinimumResponseTime"}},
	PingMaximumTime:    {TR098: []string{igdPg + "MaximumResponseTime"}, TR181: []string{devPg + "MaximumResponseTime"}},

	UploadState:          {TR098: []string{igdUL + "DiagnosticsState"}, TR181: []string{devUL + "DiagnosticsState"}},
	UploadURL:            {TR098: []string{igdUL + "UploadURL"}, TR181: []string{devUL + "UploadURL"}},
	UploadTestFileLength: {TR098: []string{igdUL + "TestFileLength"}, TR181: []string{devUL + "TestFileLength"}},
	UploadBOMTime:        {TR098: []string{igdUL + "BOMTime"}, TR181: []string{devUL + "BOMTime"}},
	UploadEOMTime:        {TR098: []string{igdUL + "EOMTime"}, TR181: []string{devUL + "EOMTime"}},
	UploadTotalBytesSent: {TR098: []string{igdUL + "TotalBytesSent"}, TR181: []string{devUL + "TotalBytesSent"}},

	TraceRouteHost:         {TR098: []string{igdTR + "Host"}, TR181: []string{devTR + "Host"}},
	TraceRouteTries:        {TR098: []string{igdTR + "NumberOfTries"}, TR181: []string{devTR + "NumberOfTries"}},
	TraceRouteMaxHops:      {TR098: []string{igdTR + "MaxHopCount"}, TR181: []string{devTR + "MaxHopCount"}},
	TraceRouteResponseTime: {TR098: []string{igdTR + "ResponseTime"}, TR181: []string{devTR + "ResponseTime"}},
	TraceRouteHopCount:     {TR098: []string{igdTR + "RouteHopsNumberOfEntries"}, TR181: []string{devTR + "RouteHopsNumberOfEntries"}},
	TraceRouteHops:         {TR098: []string{igdTR + "RouteHops.*.*"}, TR181: []string{devTR + "RouteHops.*.*"}},

	WiFiChannel24:     {TR098: []string{igdW24 + "Channel"}, TR181: []string{"Device.WiFi.Radio.1.Channel"}},
	WiFiChannel5:      {TR098: []string{igdW5 + "Channel"}, TR181: []string{"Device.WiFi.Radio.2.Channel"}},
	WiFiAutoChannel24: {TR098: []string{igdW24 + "AutoChannelEnable"}, TR181: []string{"Device.WiFi.Radio.1.AutoChannelEnable"}},
	WiFiAutoChannel5:  {TR098: []string{igdW5 + "AutoChannelEnable"}, TR181: []string{"Device.WiFi.Radio.2.AutoChannelEnable"}},
	NeighbourScanResults: {TR181: []string{"Device.WiFi.NeighboringWiFiDiagnostic.Result.*.*"}, Overrides: []Override{
		{Match: zte, TR098: []string{zteRadio + "*.X_ZTE-COM_NeighborAP.*.*"}},
	}},
	NeighbourScanCount: {TR181: []string{"Device.WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries"}},

	// Capability evidence (capability.go).
	TraceRouteState: {TR098: []string{igdTR + "DiagnosticsState"}, TR181: []string{devTR + "DiagnosticsState"}},
	// TR-098 has no standard site survey. ZTE ONTs scan per radio
	// (LANDevice.1.WIFI.Radio.1 the 2.4 GHz one, .2 the 5 GHz one; results
	// in X_ZTE-COM_NeighborAP.{i}: SSID, BSSID, Channel, RSSI, Bandwidth,
	// Standard), as Flashman's ZTE models drive it; they are polled (no
	// 8 DIAGNOSTICS COMPLETE). A device without that object does not
	// claim the capability, whatever its vendor.
	NeighbourScanState: {TR181: []string{"Device.WiFi.NeighboringWiFiDiagnostic.DiagnosticsState"}, Overrides: []Override{
		{Match: zte, TR098: []string{zteRadio + "1.DiagnosticsState"}},
	}},
	NeighbourScanState5: {Overrides: []Override{{Match: zte, TR098: []string{zteRadio + "2.DiagnosticsState"}}}},
	HostCount: {TR098: []string{"InternetGatewayDevice.LANDevice.1.Hosts.HostNumberOfEntries"},
		TR181: []string{"Device.Hosts.HostNumberOfEntries"}},
	CapabilityMarker: {TR098: []string{"InternetGatewayDevice.ManagementServer.URL"}, TR181: []string{"Device.ManagementServer.URL"}},
}

// Candidates returns p's path patterns for a device, vendor overrides first.
func Candidates(p Param, id Identity) []string {
	m, ok := table[p]
	if !ok {
		return nil
	}
	var out []string
	for _, o := range m.Overrides {
		if o.Match.matches(id) {
			out = append(out, pick(id.Root, o.TR098, o.TR181)...)
		}
	}
	for _, c := range pick(id.Root, m.TR098, m.TR181) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func pick(root string, tr098, tr181 []string) []string {
	switch root {
	case TR098:
		return tr098
	case TR181:
		return tr181
	}
	return nil
}

// Resolve returns the concrete path of p on a device whose synced tree has
// the given paths: the first candidate the tree holds (a '*' takes the
// lowest instance present). found is false when the tree holds none; path
// is then the first candidate without wildcards (a sensible default to
// write before the tree is synced), or "".
func Resolve(p Param, id Identity, tree iter.Seq[string]) (path string, found bool) {
	cands := Candidates(p, id)
	if len(cands) == 0 {
		return "", false
	}
	var keys []string
	for k := range tree {
		keys = append(keys, k)
	}
	for _, c := range cands {
		if !strings.Contains(c, "*") {
			if slices.Contains(keys, c) {
				return c, true
			}
			continue
		}
		re := patternRE(c)
		var hits []string
		for _, k := range keys {
			if re.MatchString(k) {
				hits = append(hits, k)
			}
		}
		if len(hits) > 0 {
			slices.SortFunc(hits, ComparePaths)
			return hits[0], true
		}
	}
	for _, c := range cands {
		if !strings.Contains(c, "*") {
			return c, false
		}
	}
	return "", false
}

// IsSecret reports whether p reads back as "" on CPEs.
func IsSecret(p Param) bool { return table[p].Secret }

// Lookup returns p's mapping (its slices are the table's: read them only).
func Lookup(p Param) (Mapping, bool) {
	m, ok := table[p]
	return m, ok
}

// Params lists every logical parameter with a mapping, sorted.
func Params() []Param {
	return slices.Sorted(maps.Keys(table))
}

var (
	reMu    sync.Mutex
	reCache = map[string]*regexp.Regexp{}
)

func patternRE(pattern string) *regexp.Regexp {
	reMu.Lock()
	defer reMu.Unlock()
	if re, ok := reCache[pattern]; ok {
		return re
	}
	re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, `[0-9]+`) + "$")
	reCache[pattern] = re
	return re
}

// ComparePaths orders dotted paths with their instance numbers as numbers
// (…Device.2… before …Device.10…).
func ComparePaths(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, err1 := strconv.Atoi(as[i])
		bi, err2 := strconv.Atoi(bs[i])
		if err1 == nil && err2 == nil {
			return ai - bi
		}
		return strings.Compare(as[i], bs[i])
	}
	return len(as) - len(bs)
}

// OpticalDBm is an optical level read from a device's tree, in dBm: TR-181
// Optical.Interface levels count 0.002 dBm; the vendor TR-098 paths
// (Huawei, ZTE) report dBm. Rounded to 0.01 dBm.
func OpticalDBm(root string, raw float64) float64 {
	if root == TR181 {
		raw *= 0.002
	}
	return math.Round(raw*100) / 100
}

// HealthParams are refreshed on every periodic inform.
func HealthParams() []Param {
	return []Param{UpTime, SoftwareVersion, CPUUsage, MemoryFree, MemoryTotal, MemoryUsed,
		WANBytesSent, WANBytesReceived, WiFiClients24, WiFiClients5, OpticalRxPower, OpticalTxPower, PPPoEStatus, HostCount,
		// what the device page shows first (action.Line)
		WiFiSSID24, WiFiSSID5, PPPoEUsername, WANIPAddress, WANIPStatus, IPv4AddressingType}
}

// DiagnosticResults are refreshed after "8 DIAGNOSTICS COMPLETE".
func DiagnosticResults() []Param {
	return []Param{DownloadState, DownloadBOMTime, DownloadEOMTime, DownloadTestBytes, DownloadTotalBytes,
		UploadState, UploadBOMTime, UploadEOMTime, UploadTotalBytesSent, UploadTestFileLength,
		PingState, PingSuccessCount, PingFailureCount, PingAverageTime, PingMinimumTime, PingMaximumTime,
		TraceRouteState, TraceRouteResponseTime, TraceRouteHopCount, TraceRouteHops,
		NeighbourScanState, NeighbourScanState5, NeighbourScanCount, NeighbourScanResults, WiFiChannel24, WiFiChannel5}
}

// ProvisionPaths lists, per root, every candidate path (standard and all
// vendors') of params: what a provision declares. GenieACS skips what a
// device lacks; '*' is a GenieACS wildcard there too.
func ProvisionPaths(params []Param) map[string][]string {
	out := map[string][]string{TR098: {}, TR181: {}}
	for _, p := range params {
		m := table[p]
		add := func(root string, paths []string) {
			for _, x := range paths {
				if !slices.Contains(out[root], x) {
					out[root] = append(out[root], x)
				}
			}
		}
		for _, o := range m.Overrides {
			add(TR098, o.TR098)
			add(TR181, o.TR181)
		}
		add(TR098, m.TR098)
		add(TR181, m.TR181)
	}
	return out
}
