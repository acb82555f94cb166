package datamodel

import (
	"maps"
	"slices"
)

// Capability is something FyberPay can do with a device, judged from its
// parameter tree as GenieACS holds it: never from a list of models.
type Capability string

// The capabilities, in the order pages list them.
const (
	CapPPPoE         Capability = "pppoe"
	CapWiFi24        Capability = "wifi_2g"
	CapWiFi5         Capability = "wifi_5g"
	CapPing          Capability = "ping"
	CapDownloadTest  Capability = "download_test"
	CapUploadTest    Capability = "upload_test"
	CapTraceroute    Capability = "traceroute"
	CapNeighbourScan Capability = "neighbour_scan"
	CapHosts         Capability = "hosts"
	CapOptical       Capability = "optical"
)

// Evidence parameters: a capability is there when its parameter is. They
// are discovered (a GetParameterNames, {path: ...} in the health
// provision), not read, so finding them costs a device one walk a day.
const (
	TraceRouteState    Param = "diag.traceroute.state"
	NeighbourScanState Param = "diag.neighbour.state"
	HostCount          Param = "hosts.count"
	// CapabilityMarker is on every CPE (ManagementServer.URL is mandatory)
	// and only the health provision reads its value, in the session that
	// discovers the capability objects: a value of it says the discovery
	// ran (its name alone says nothing: any listing of ManagementServer,
	// such as the bootstrap's, shows it). Before, a capability's absence
	// means GenieACS was never asked.
	CapabilityMarker Param = "capabilities.marker"
)

// CapabilityInfo describes one capability for people.
type CapabilityInfo struct {
	Name  Capability
	Label string // "PPPoE", "5 GHz Wi-Fi"
	// Evidence is the parameter whose presence is the capability.
	Evidence Param
	// Write: FyberPay writes the evidence's node (or its siblings) to
	// use the capability, so a read-only node is not enough.
	Write bool
	// Lacks and ReadOnly say in one line why it cannot be used.
	Lacks, ReadOnly string
}

var capabilities = []CapabilityInfo{
	{CapPPPoE, "PPPoE", PPPoEUsername, true,
		"this device has no PPP connection; PPPoE cannot be pushed",
		"this device's PPP connection is read-only; PPPoE cannot be pushed"},
	{CapWiFi24, "2.4 GHz Wi-Fi", WiFiSSID24, true,
		"this device has no 2.4 GHz Wi-Fi", "this device's 2.4 GHz SSID is read-only"},
	{CapWiFi5, "5 GHz Wi-Fi", WiFiSSID5, true,
		"this device has no 5 GHz Wi-Fi", "this device's 5 GHz SSID is read-only"},
	{CapPing, "Ping", PingState, true,
		"this device has no ping diagnostics (IPPing); a ping cannot run",
		"this device's ping diagnostics are read-only; a ping cannot run"},
	{CapDownloadTest, "Download test", DownloadState, true,
		"this device has no download diagnostics; a download test cannot run",
		"this device's download diagnostics are read-only; a download test cannot run"},
	{CapUploadTest, "Upload test", UploadState, true,
		"this device has no upload diagnostics; an upload test cannot run",
		"this device's upload diagnostics are read-only; an upload test cannot run"},
	{CapTraceroute, "Traceroute", TraceRouteState, true,
		"this device has no traceroute diagnostics; a traceroute cannot run",
		"this device's traceroute diagnostics are read-only; a traceroute cannot run"},
	{CapNeighbourScan, "Wi-Fi scan", NeighbourScanState, false,
		"this device has no neighbouring Wi-Fi diagnostic; a Wi-Fi scan cannot run", ""},
	{CapHosts, "LAN hosts", HostCount, false,
		"this device reports no LAN hosts table", ""},
	{CapOptical, "Optical power", OpticalRxPower, false,
		"this device reports no optical levels (not a GPON ONT, or its vendor's path is not mapped)", ""},
}

// Capabilities lists every capability, in display order.
func Capabilities() []CapabilityInfo { return slices.Clone(capabilities) }

// Info returns c's description.
func Info(c Capability) (CapabilityInfo, bool) {
	i := slices.IndexFunc(capabilities, func(x CapabilityInfo) bool { return x.Name == c })
	if i < 0 {
		return CapabilityInfo{}, false
	}
	return capabilities[i], true
}

// Caps is what a device can do: each capability it has, with whether its
// node is writable. A nil Caps is unknown (the discovery has not run).
type Caps map[Capability]bool

// Has reports whether the device has c (unknown: false).
func (cs Caps) Has(c Capability) bool {
	_, ok := cs[c]
	return ok
}

// Why says why the device cannot use c ("" when it can, or when its
// capabilities are not known yet: then nothing is refused in advance).
func (cs Caps) Why(c Capability) string {
	if cs == nil {
		return ""
	}
	info, ok := Info(c)
	if !ok {
		return ""
	}
	w, has := cs[c]
	switch {
	case !has:
		return info.Lacks
	case info.Write && !w:
		return info.ReadOnly
	}
	return ""
}

// Need returns a *MissingError when the device cannot use c.
func (cs Caps) Need(c Capability) error {
	if why := cs.Why(c); why != "" {
		return &MissingError{Capability: c, Reason: why}
	}
	return nil
}

// MissingError refuses an action the device cannot do, before anything
// is sent to it (422 with the capability named).
type MissingError struct {
	Capability Capability
	Reason     string
}

func (e *MissingError) Error() string { return e.Reason }

// DeriveCaps judges a device's capabilities from its tree: the paths
// GenieACS holds, each with whether it is writable (true when GenieACS
// does not know), and valued, whether GenieACS holds a path's value.
// known is false when the discovery has not run on the tree yet (no value
// of the marker): then caps is nil.
func DeriveCaps(id Identity, tree map[string]bool, valued func(path string) bool) (caps Caps, known bool) {
	keys := slices.Collect(maps.Keys(tree))
	if marker, found := Resolve(CapabilityMarker, id, slices.Values(keys)); !found || !valued(marker) {
		return nil, false
	}
	caps = Caps{}
	for _, info := range capabilities {
		if path, found := Resolve(info.Evidence, id, slices.Values(keys)); found {
			caps[info.Name] = tree[path]
		}
	}
	return caps, true
}

// CapabilityParams are what the discovery looks for (the marker, read by
// value, aside).
func CapabilityParams() []Param {
	var out []Param
	for _, info := range capabilities {
		out = append(out, info.Evidence)
	}
	// The Wi-Fi key's path matters as much as the SSID's (vendors differ).
	return append(out, WiFiKey24, WiFiKey5)
}

// HostTables are, per root, the fields of the LAN hosts table and the
// Wi-Fi associated-device tables the Connected devices panel shows, as
// wildcard patterns over their instances: the health provision re-lists
// and re-reads them at each periodic inform (hosts come and go). Only
// these fields: a CPE's hosts table holds more (lease times, address
// sources), which would cost every inform a longer read for nothing.
func HostTables() map[string][]string {
	fields := func(table string, names ...string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = table + ".*." + n
		}
		return out
	}
	igd := "InternetGatewayDevice.LANDevice.1."
	return map[string][]string{
		TR098: append(fields(igd+"Hosts.Host", "HostName", "MACAddress", "IPAddress", "InterfaceType", "Active"),
			fields(igd+"WLANConfiguration.*.AssociatedDevice", "AssociatedDeviceMACAddress", "AssociatedDeviceIPAddress", "X_HW_RSSI")...),
		TR181: append(fields("Device.Hosts.Host", "HostName", "PhysAddress", "IPAddress", "Layer1Interface", "Active"),
			fields("Device.WiFi.AccessPoint.*.AssociatedDevice", "MACAddress", "SignalStrength")...),
	}
}
