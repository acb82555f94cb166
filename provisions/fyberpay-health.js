// fyberpay-health: runs on every "2 PERIODIC" inform and re-reads the
// health values. The spec's declare(path, {value: 1}) would fetch each value
// once, ever: GenieACS refetches a value only when the one it holds is older
// than the timestamp declared. Date.now() is this session's start, so every
// periodic session reads them afresh (and a second preset pass in the same
// session does not read them again).
//
// It also discovers, once a day, which of the capability parameters the
// device has (datamodel.CapabilityParams: the PPP connection, Wi-Fi SSIDs
// and keys, diagnostics objects, hosts, optical levels): {path: t} makes
// GenieACS walk the names (GetParameterNames) when it last did before t,
// without reading values. FyberPay judges what the device can do from
// what this finds.
//
// FyberPay renders this script at upload: the line below becomes PATHS, the
// health parameters' candidate paths per root, CAPS, the capability
// parameters', MARKER, the discovery's marker, and HOSTS, the hosts and Wi-Fi client tables, from
// internal/datamodel.
// @fyberpay:health-paths

const now = Date.now();
// Every Inform carries <root>.DeviceInfo.SoftwareVersion.
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "Device";

if (root) {
  for (const p of PATHS[root]) declare(p, {value: now});
  for (const p of CAPS[root]) declare(p, {path: now - 86400000});
  // Read in the same session: its value says the discovery above ran.
  for (const p of MARKER[root]) declare(p, {path: now - 86400000, value: now - 86400000});
  // What is connected: the hosts and associated-device tables, listed
  // again (clients come and go) and read.
  for (const p of HOSTS[root]) declare(p, {path: now, value: now});
}
