// FyberPay ext script for GenieACS (GENIEACS_EXT_DIR/fyberpay.js).
//
// Provisions call ext("fyberpay", "identifyDevice", serial, oui,
// productClass, manufacturer, deviceId, root). GenieACS passes the extra
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

// identifyDevice(args, callback): args are [serial, oui, productClass,
// manufacturer, deviceId, root]; the answer is FyberPay's desired state.
function identifyDevice(args, callback) {
  const [serial, oui, productClass, manufacturer, deviceId, root] = (args || []).map((a) => (a == null ? "" : String(a)));
  if (!serial) {
    callback(new Error("identifyDevice: the serial number argument is empty"));
    return;
  }
  post("internal/cpe/identify", { serial, oui, productClass, manufacturer, deviceId, root }, callback);
}

exports.identifyDevice = identifyDevice;
