// fyberpay-health: runs on every "2 PERIODIC" inform and re-reads the
// health values. The spec's declare(path, {value: 1}) would fetch each value
// once, ever: GenieACS refetches a value only when the one it holds is older
// than the timestamp declared. Date.now() is this session's start, so every
// periodic session reads them afresh (and a second preset pass in the same
// session does not read them again).
//
// FyberPay renders this script at upload: the line below becomes PATHS, the
// health parameters' candidate paths per root from internal/datamodel.
// @fyberpay:health-paths

const now = Date.now();
// Every Inform carries <root>.DeviceInfo.SoftwareVersion.
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "Device";

if (root) {
  for (const p of PATHS[root]) declare(p, {value: now});
}
