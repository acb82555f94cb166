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

// Every read of a declared value ends a round (GenieACS fetches what was
// declared, then runs the script again from the top): declare together,
// read together.
const idDecl = {
  serial: declare("DeviceID.SerialNumber", {value: 1}),
  oui: declare("DeviceID.OUI", {value: 1}),
  productClass: declare("DeviceID.ProductClass", {value: 1}),
  manufacturer: declare("DeviceID.Manufacturer", {value: 1}),
  id: declare("DeviceID.ID", {value: 1}),
};
// The data-model root: every Inform carries <root>.DeviceInfo.SoftwareVersion,
// so this reads the same on every run of the script.
const tr098 = declare("InternetGatewayDevice.DeviceInfo.SoftwareVersion", {value: 1});
const tr181 = declare("Device.DeviceInfo.SoftwareVersion", {value: 1});
const ID = {};
for (const k of Object.keys(idDecl)) ID[k] = idDecl[k].value[0];
const root = tr098.size ? "InternetGatewayDevice" : tr181.size ? "Device" : null;

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

// Each logical parameter to write, its candidate paths declared with names
// fetched in this session ({path: now}): the first that exists wins, a
// vendor's path first, never whatever an earlier fetch happened to leave
// in the document.
function candidatesDeclared(param) {
  return candidates(param).map((c) => declare(c, {path: now}));
}

function first(declared) {
  for (const d of declared) {
    for (const inst of d) return inst.path;
  }
  return null;
}

// The arguments come from the Inform alone, so every run (and GenieACS's
// per-round cache of ext results) sees the same call. The last one is the
// session's timestamp (Date.now() is fixed for a whole session): the ext
// script keeps an answer for the passes of one session and asks afresh in
// the next (a factory reset seconds after a change gets today's state).
const answer = ext("fyberpay", "identifyDevice", ID.serial, ID.oui, ID.productClass, ID.manufacturer, ID.id, root || "", now) || {};

// What to write, as logical parameters.
const wifi = answer.wifi || [];
const band = (w) => (w.band === "5GHz" ? "5g" : "2g");
const writes = [["inform.enable", true], ["inform.interval", answer.periodicInformInterval || 300]];
for (const w of wifi) writes.push(["wifi." + band(w) + ".ssid", w.ssid], ["wifi." + band(w) + ".key", w.password]);

// Declare every path needed, then read them in one round: a read after a
// new declaration would end a round each time.
const declared = {};
for (const [param] of writes) declared[param] = candidatesDeclared(param);
const ppp = answer.pppoe ? candidatesDeclared("pppoe.username") : [];
const tags = declare("Tags.*", {value: 1});
const resolved = {};
for (const [param] of writes) resolved[param] = first(declared[param]);
const pppUser = answer.pppoe ? first(ppp) : null;
const haveTags = [];
for (const t of tags) haveTags.push(t.path);

// Then only writes.
if (answer.tags) {
  const keep = {};
  for (const t of answer.tags) keep[t] = true;
  // Drop managed tags the answer no longer lists (a device moved org or subscriber).
  for (const p of haveTags) {
    const name = decodeTag(p.slice("Tags.".length));
    if (/^(org|sub|plan):/.test(name) && !keep[name]) declare(p, null, {value: false});
  }
  for (const t of answer.tags) declare("Tags." + encodeTag(t), null, {value: true});
}

if (answer.pppoe) {
  if (pppUser !== null) {
    const base = pppUser.slice(0, pppUser.length - "Username".length);
    declare(base + "Username", {value: 1}, {value: answer.pppoe.username});
    declare(base + "Password", {value: 1}, {value: answer.pppoe.password});
    declare(base + "Enable", {value: 1}, {value: true});
  } else {
    log("fyberpay: no PPP connection found; PPPoE not set");
  }
}

for (const [param, value] of writes) {
  if (resolved[param] === null) log("fyberpay: " + param + " has no path on this device; not set");
  else declare(resolved[param], {value: 1}, {value: value});
}
