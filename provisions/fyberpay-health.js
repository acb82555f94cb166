// fyberpay-health: runs on every "2 PERIODIC" inform and re-reads the health
// values. The spec's declare(path, {value: 1}) would fetch each value once,
// ever (GenieACS only refetches values older than the given timestamp); a
// timestamp of "a minute ago" refetches them every session (DESIGN.md §4).
//
// FyberPay renders this script at upload: the line below becomes PATHS, the
// health parameters' candidate paths per root from internal/datamodel.
// @fyberpay:health-paths

const since = Date.now() - 60 * 1000;
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.UpTime", {value: since}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.UpTime", {value: since}).size) root = "Device";

if (root) {
  for (const p of PATHS[root]) declare(p, {value: since});
}
