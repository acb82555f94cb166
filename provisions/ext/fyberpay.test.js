// Node's built-in test runner: node --test provisions/ext/
// Runs against a running FyberPay (FYBERPAY_URL, FYBERPAY_INTERNAL_KEY); `make
// test` starts one (e2e/ext_test.go). Failure paths use local servers.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const http = require("node:http");
const path = require("node:path");

const ext = require(path.join(__dirname, "fyberpay.js"));

const identify = (args) => new Promise((resolve) => {
  ext.identifyDevice(args, (err, result) => resolve({ err, result }));
});

const withEnv = async (env, fn) => {
  const saved = {};
  for (const k of Object.keys(env)) { saved[k] = process.env[k]; process.env[k] = env[k]; }
  try { return await fn(); } finally {
    for (const k of Object.keys(saved)) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
  }
};

const listen = (handler) => new Promise((resolve) => {
  const srv = http.createServer(handler);
  srv.listen(0, "127.0.0.1", () => resolve(srv));
});

test("the app is configured for this run", () => {
  assert.ok(process.env.FYBERPAY_URL, "FYBERPAY_URL");
  assert.ok(process.env.FYBERPAY_INTERNAL_KEY, "FYBERPAY_INTERNAL_KEY");
});

test("an unknown device becomes pending and gets no tags", async () => {
  const serial = "48575443" + Date.now().toString(16).toUpperCase().slice(-8).padStart(8, "0");
  const { err, result } = await identify([serial, "00259E", "HG8245H", "Huawei Technologies Co., Ltd", "00259E-HG8245H-" + serial, "InternetGatewayDevice"]);
  assert.strictEqual(err, null);
  assert.strictEqual(result.status, "pending");
  assert.deepStrictEqual(result.tags, []);
  assert.strictEqual(result.periodicInformInterval, 300);
});

test("a known device gets its organization tag (hex and label serials match)", async () => {
  const { err, result } = await identify(["48575443E2E00001", "00259E", "HG8245H", "Huawei Technologies Co., Ltd", "00259E-HG8245H-48575443E2E00001", "InternetGatewayDevice"]);
  assert.strictEqual(err, null);
  assert.strictEqual(result.status, "claimed");
  assert.deepStrictEqual(result.tags, ["org:acme"]);
});

test("a wrong key is a clean error", async () => {
  await withEnv({ FYBERPAY_INTERNAL_KEY: "not-the-key-0123456789abcdef" }, async () => {
    const { err, result } = await identify(["HWTC00000001", "00259E", "HG8245H", "", "", ""]);
    assert.ok(err instanceof Error);
    assert.match(err.message, /answered 401/);
    assert.strictEqual(result, undefined);
  });
});

test("bad input is reported with FyberPay's reason", async () => {
  const { err } = await identify(["HWTC00000001", "not-an-oui", "HG8245H", "", "", ""]);
  assert.ok(err instanceof Error);
  assert.match(err.message, /answered 400/);
  const empty = await identify([]);
  assert.match(empty.err.message, /serial number argument is empty/);
});

test("an unreachable app fails fast and cleanly", async () => {
  const srv = await listen(() => {});
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  await withEnv({ FYBERPAY_URL: "http://127.0.0.1:" + port }, async () => {
    const started = Date.now();
    const { err } = await identify(["HWTC00000001", "00259E", "HG8245H", "", "", ""]);
    assert.match(err.message, /identify failed/);
    assert.ok(Date.now() - started < 2000);
  });
});

test("a slow app times out before GenieACS's 3 s ext timeout, calling back once", async () => {
  const srv = await listen((req, res) => { setTimeout(() => res.end("{}"), 5000); });
  const port = srv.address().port;
  try {
    await withEnv({ FYBERPAY_URL: "http://127.0.0.1:" + port }, async () => {
      let calls = 0;
      const started = Date.now();
      const { err } = await new Promise((resolve) => ext.identifyDevice(["HWTC00000001", "00259E"], (e, r) => { calls++; resolve({ err: e, result: r }); }));
      const took = Date.now() - started;
      assert.match(err.message, /timed out/);
      assert.ok(took < 3000, "took " + took + " ms");
      await new Promise((r) => setTimeout(r, 100));
      assert.strictEqual(calls, 1);
    });
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
});

test("garbage answers are a clean error", async () => {
  const srv = await listen((req, res) => { res.writeHead(200, { "Content-Type": "application/json" }); res.end("{not json"); });
  try {
    await withEnv({ FYBERPAY_URL: "http://127.0.0.1:" + srv.address().port }, async () => {
      const { err } = await identify(["HWTC00000001", "00259E"]);
      assert.match(err.message, /invalid JSON/);
    });
  } finally {
    srv.close();
  }
});
