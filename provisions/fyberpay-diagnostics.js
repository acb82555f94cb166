// fyberpay-diagnostics: runs on "8 DIAGNOSTICS COMPLETE" and re-reads the
// results of download and ping diagnostics, so FyberPay sees this run's
// values, not the previous run's.
//
// FyberPay renders this script at upload: the line below becomes PATHS, the
// diagnostics result paths per root from internal/datamodel.
// @fyberpay:diagnostics-paths

const since = Date.now() - 60 * 1000;
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.UpTime", {value: 1}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.UpTime", {value: 1}).size) root = "Device";

if (root) {
  for (const p of PATHS[root]) declare(p, {value: since});
}
