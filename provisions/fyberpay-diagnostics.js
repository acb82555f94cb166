// fyberpay-diagnostics: runs on "8 DIAGNOSTICS COMPLETE" and re-reads the
// results of download, upload, ping and traceroute diagnostics. GenieACS refetches only
// values older than the declared timestamp; the results (and the
// "Requested" state) were read when the test was started, so the timestamp
// must be later than that: this session's start, Date.now(), is.
//
// FyberPay renders this script at upload: the line below becomes PATHS, the
// diagnostics result paths per root from internal/datamodel.
// @fyberpay:diagnostics-paths

const now = Date.now();
// Every Inform carries <root>.DeviceInfo.SoftwareVersion.
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "Device";

if (root) {
  // {path: now} too: the CPE creates the traceroute's hop instances as it
  // runs the test, so the tables are listed again.
  for (const p of PATHS[root]) declare(p, {path: now, value: now});
}
