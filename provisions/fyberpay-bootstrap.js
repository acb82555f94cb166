// fyberpay-bootstrap: runs on "0 BOOTSTRAP" (a new or factory-reset CPE).
// It asks FyberPay who the device is (ext → POST /internal/cpe/identify) and
// applies the desired state it answers: org/sub/plan tags, PPPoE, Wi-Fi and
// the periodic inform interval. Works on TR-098 and TR-181 roots.
//
// GenieACS runs this script again from the top after every fetch, and the
// whole preset pass again when a pass changed anything; every call below is
// safe to repeat.
//
// FyberPay renders this script at upload: the line below becomes the
// logical-parameter table of internal/datamodel (MAP).
// @fyberpay:map

const now = Date.now();

// GenieACS keeps what it once fetched until something clears it: after a
// factory reset its document still holds the old configuration, and a value
// equal to a stale one would never be sent. Forget the data model fetched
// before this session (the Inform's parameters are this session's and
// stay), as GenieACS's own default bootstrap provision does.
clear("InternetGatewayDevice", now);
clear("Device", now);

const ID = {
  serial: declare("DeviceID.SerialNumber", {value: 1}).value[0],
  oui: declare("DeviceID.OUI", {value: 1}).value[0],
  productClass: declare("DeviceID.ProductClass", {value: 1}).value[0],
  manufacturer: declare("DeviceID.Manufacturer", {value: 1}).value[0],
  id: declare("DeviceID.ID", {value: 1}).value[0],
};

// The data-model root: every Inform carries <root>.DeviceInfo.SoftwareVersion,
// so this reads the same on every run of the script.
let root = null;
if (declare("InternetGatewayDevice.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "InternetGatewayDevice";
else if (declare("Device.DeviceInfo.SoftwareVersion", {value: 1}).size) root = "Device";

// A path segment allows only [A-Za-z0-9_-]: GenieACS keeps the tag
// "org:acme" under "Tags.org0x3Aacme" in a session (every other character
// as 0x and its UTF-8 bytes in hex; a literal "0x" before two such digits
// as "00x78") and saves it decoded. "Tags.org:acme" would fault the session.
function encodeTag(tag) {
  return encodeURIComponent(tag)
    .replace(/[.!~*'()]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/0x(?=[0-9A-Z]{2})/g, "0%78")
    .replace(/%/g, "0x");
}

function decodeTag(segment) {
  return decodeURIComponent(segment.replace(/0x(?=[0-9A-Z]{2})/g, "%"));
}

// Candidate paths of a logical parameter, vendor overrides first (the same
// rule as datamodel.Candidates).
function candidates(param) {
  const m = MAP[param];
  if (!m || !root) return [];
  const key = root === "Device" ? "tr181" : "tr098";
  const man = String(ID.manufacturer || "").toLowerCase();
  const oui = String(ID.oui || "").toUpperCase();
  let out = [];
  for (const o of m.overrides || []) {
    const vendor = (!o.manufacturer && !(o.ouis || []).length) ||
      (o.manufacturer && man.indexOf(o.manufacturer) >= 0) || (o.ouis || []).indexOf(oui) >= 0;
    const product = !(o.productClasses || []).length || o.productClasses.indexOf(ID.productClass) >= 0;
    if (vendor && product) out = out.concat(o[key] || []);
  }
  for (const c of m[key] || []) if (out.indexOf(c) < 0) out.push(c);
  return out;
}

// The first path of a logical parameter the device has, judged on names
// GenieACS fetched in this session (a vendor's path first, never whatever
// an earlier fetch happened to leave in the document).
function resolve(param) {
  for (const c of candidates(param)) {
    for (const inst of declare(c, {path: now})) return inst.path;
  }
  return null;
}

function set(param, value) {
  const p = resolve(param);
  if (p === null) {
    log("fyberpay: " + param + " has no path on this device; not set");
    return;
  }
  declare(p, {value: 1}, {value: value});
}

// The arguments come from the Inform alone, so every run (and GenieACS's
// per-round cache of ext results) sees the same call.
const answer = ext("fyberpay", "identifyDevice", ID.serial, ID.oui, ID.productClass, ID.manufacturer, ID.id, root || "");

if (answer && answer.tags) {
  const want = {};
  for (const t of answer.tags) want[t] = true;
  // Drop managed tags the answer no longer lists (a device moved org or subscriber).
  for (const t of declare("Tags.*", {value: 1})) {
    const name = decodeTag(t.path.slice("Tags.".length));
    if (/^(org|sub|plan):/.test(name) && !want[name]) declare(t.path, null, {value: false});
  }
  for (const t of answer.tags) declare("Tags." + encodeTag(t), null, {value: true});
}

if (answer && answer.pppoe) {
  const user = resolve("pppoe.username");
  if (user !== null) {
    const base = user.slice(0, user.length - "Username".length);
    declare(base + "Username", {value: 1}, {value: answer.pppoe.username});
    declare(base + "Password", {value: 1}, {value: answer.pppoe.password});
    declare(base + "Enable", {value: 1}, {value: true});
  } else {
    log("fyberpay: no PPP connection found; PPPoE not set");
  }
}

for (const w of (answer && answer.wifi) || []) {
  const band = w.band === "5GHz" ? "5g" : "2g";
  set("wifi." + band + ".ssid", w.ssid);
  set("wifi." + band + ".key", w.password);
}

const interval = (answer && answer.periodicInformInterval) || 300;
set("inform.enable", true);
set("inform.interval", interval);
