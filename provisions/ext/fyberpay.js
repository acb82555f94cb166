// FyberPay ext script for GenieACS (GENIEACS_EXT_DIR/fyberpay.js).
//
// Provisions call ext("fyberpay", "identifyDevice", serial, oui,
// productClass, manufacturer, deviceId, root, session). GenieACS passes the extra
// arguments as strings and aborts the call after EXT_TIMEOUT (3 s), so this
// script gives up after FYBERPAY_TIMEOUT_MS (default 2500 ms) and always
// calls back once: with FyberPay's answer, or with a clean Error that
// GenieACS records as an ext.Error fault and retries later.
//
// Environment (of genieacs-cwmp): FYBERPAY_URL (e.g. http://fyberpay:8080),
// FYBERPAY_INTERNAL_KEY (= FyberPay's GENIEACS_INTERNAL_KEY).
"use strict";

const http = require("http");
const https = require("https");

const TIMEOUT_MS = Number(process.env.FYBERPAY_TIMEOUT_MS) || 2500;

function post(path, payload, callback) {
  const base = process.env.FYBERPAY_URL;
  const key = process.env.FYBERPAY_INTERNAL_KEY;
  if (!base || !key) {
    callback(new Error("FYBERPAY_URL and FYBERPAY_INTERNAL_KEY must be set in genieacs-cwmp's environment"));
    return;
  }
  let url;
  try {
    url = new URL(path, base.endsWith("/") ? base : base + "/");
  } catch (e) {
    callback(new Error("FYBERPAY_URL is not a valid URL: " + base));
    return;
  }
  const body = Buffer.from(JSON.stringify(payload));
  const lib = url.protocol === "https:" ? https : http;
  let done = false;
  const finish = (err, result) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    callback(err, result);
  };
  const req = lib.request(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Content-Length": body.length,
      "X-FyberPay-Internal-Key": key,
    },
  }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("error", (e) => finish(new Error("FyberPay identify: " + e.message)));
    res.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (res.statusCode !== 200) {
        let msg = text.slice(0, 200);
        try { msg = JSON.parse(text).error.message; } catch (e) { /* keep the raw text */ }
        finish(new Error("FyberPay identify answered " + res.statusCode + ": " + msg));
        return;
      }
      try {
        finish(null, JSON.parse(text));
      } catch (e) {
        finish(new Error("FyberPay identify answered invalid JSON"));
      }
    });
  });
  const timer = setTimeout(() => {
    req.destroy();
    finish(new Error("FyberPay identify timed out after " + TIMEOUT_MS + " ms"));
  }, TIMEOUT_MS);
  req.on("error", (e) => finish(new Error("FyberPay identify failed: " + e.message)));
  req.end(body);
}

// GenieACS runs a preset pass again after one that changed the device (and
// forgets ext results between passes), so one BOOTSTRAP session asks the
// same question two or three times within a second. The provision passes
// its session's timestamp last: answers are kept per argument list, that
// timestamp included, so FyberPay is asked once per session and every new
// session asks again. Entries older than CACHE_MS (default 10 s) are
// dropped; this process is long-lived, one per GenieACS worker.
const CACHE_MS = process.env.FYBERPAY_CACHE_MS === undefined ? 10000 : Number(process.env.FYBERPAY_CACHE_MS) || 0;
const answers = new Map(); // args JSON -> {at, answer}

function cached(key) {
  const now = Date.now();
  for (const [k, v] of answers) {
    if (now - v.at < CACHE_MS) break; // insertion order: the rest are newer
    answers.delete(k);
  }
  const hit = answers.get(key);
  return hit && now - hit.at < CACHE_MS ? hit.answer : undefined;
}

// identifyDevice(args, callback): args are [serial, oui, productClass,
// manufacturer, deviceId, root, session]; the answer is FyberPay's desired
// state. Without a session argument nothing is cached.
function identifyDevice(args, callback) {
  const [serial, oui, productClass, manufacturer, deviceId, root, session] = (args || []).map((a) => (a == null ? "" : String(a)));
  if (!serial) {
    callback(new Error("identifyDevice: the serial number argument is empty"));
    return;
  }
  const key = session ? JSON.stringify([serial, oui, productClass, manufacturer, deviceId, root, session]) : "";
  const hit = key && CACHE_MS > 0 ? cached(key) : undefined;
  if (hit !== undefined) {
    callback(null, hit);
    return;
  }
  post("internal/cpe/identify", { serial, oui, productClass, manufacturer, deviceId, root }, (err, answer) => {
    if (!err && key && CACHE_MS > 0) {
      answers.delete(key);
      answers.set(key, { at: Date.now(), answer });
    }
    callback(err, answer);
  });
}

exports.identifyDevice = identifyDevice;
