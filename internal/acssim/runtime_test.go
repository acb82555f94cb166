package acssim

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseGPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, out string
		bad     bool
	}{
		{in: "InternetGatewayDevice.DeviceInfo.UpTime", out: "InternetGatewayDevice.DeviceInfo.UpTime"},
		{in: "Device.WiFi.SSID.*.SSID", out: "Device.WiFi.SSID.*.SSID"},
		{in: "", out: ""},
		{in: "Tags.org0x3Aacme", out: "Tags.org0x3Aacme"},
		{in: "X_TP-LINK_Thing.a", out: "X_TP-LINK_Thing.a"},
		{in: `Device.IP.Interface.[Name:wan,Enable:true].Status`, out: `Device.IP.Interface.[Enable:"true",Name:"wan"].Status`},
		{in: `A.[ B.C : "x y"].D`, out: `A.[B.C:"x y"].D`},
		{in: `A.[B.C:"x y" ].D`, bad: true}, // GenieACS stops right after a quoted value
		{in: `A.[].B`, out: `A.[].B`},
		{in: "Tags.org:acme", bad: true},
		{in: "InternetGatewayDevice.LANDevice.", bad: true},
		{in: ".A", bad: true},
		{in: "A..B", bad: true},
		{in: "A.B C", bad: true},
		{in: "A.*x", bad: true},
		{in: "A.[B:1", bad: true},
		{in: "Tags.sub:alice.w", bad: true},
	} {
		p, err := parseGPath(tc.in)
		if tc.bad {
			require.ErrorIs(t, err, errInvalidPath, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.out, p.String(), tc.in)
	}
}

func TestEncodeTag(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"org:acme":     "org0x3Aacme",
		"sub:alice_w":  "sub0x3Aalice_w",
		"plan:home-10": "plan0x3Ahome-10",
		"plain":        "plain",
		"has space":    "has0x20space",
		"a.b":          "a0x2Eb",
		"0xAB":         "00x78AB",
		"x0xzz":        "x0xzz",
	} {
		got := encodeTag(in)
		require.Equal(t, want, got, in)
		_, err := parseGPath("Tags." + got)
		require.NoError(t, err, "%s is a legal path segment", got)
		back, err := decodeTag(got)
		require.NoError(t, err)
		require.Equal(t, in, back)
	}
}

func TestExprParse(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		`DeviceID.SerialNumber = "000003"`:                 `["=",["PARAM","DeviceID.SerialNumber"],"000003"]`,
		`Tags.x IS NOT NULL`:                               `["IS NOT NULL",["PARAM","Tags.x"]]`,
		`a = 1 AND b <> 'x' OR NOT c IS NULL`:              `["OR",["AND",["=",["PARAM","a"],1],["<>",["PARAM","b"],"x"]],["NOT",["IS NULL",["PARAM","c"]]]]`,
		`DeviceID.ProductClass LIKE "HG%"`:                 `["LIKE",["PARAM","DeviceID.ProductClass"],"HG%"]`,
		`UPPER(DeviceID.OUI) = "00259E" and x > 2 * 3 + 1`: `["AND",["=",["FUNC","UPPER",["PARAM","DeviceID.OUI"]],"00259E"],[">",["PARAM","x"],["+",["*",2,3],1]]]`,
	} {
		e, err := parseExpr(src)
		require.NoError(t, err, src)
		require.Equal(t, want, string(appendJSON(nil, e)), src)
	}
	_, err := parseExpr(`{"_tags":"x"}`)
	require.Error(t, err, "a JSON precondition is not an expression")
}

// scriptEnv is a bundle with one device and the given provisions bound
// to "2 PERIODIC" by a preset each.
func scriptEnv(t *testing.T, profile string, scripts map[string]string) (*testBundle, string) {
	t.Helper()
	b := setup(t, setupOpts{})
	id := b.addDevice(t, profile)
	for name, src := range scripts {
		r := b.nbi.must(http.MethodPut, "/provisions/"+name, src)
		require.Equal(t, http.StatusOK, r.code, "%s", r.body)
		r = b.nbi.must(http.MethodPut, "/presets/"+name, `{"weight":0,"channel":"`+name+`","events":{"2 PERIODIC":true},"precondition":"","configurations":[{"type":"provision","name":"`+name+`","args":[]}]}`)
		require.Equal(t, http.StatusOK, r.code)
	}
	return b, id
}

func (b *testBundle) faultOf(id, channel string) map[string]any {
	docs, _ := b.nbi.list("faults", `{"_id":`+jsonString(id+":"+channel)+`}`, "", "")
	if len(docs) == 0 {
		return nil
	}
	return docs[0]
}

func TestDocumentHoldsOnlyWhatWasFetched(t *testing.T) {
	t.Parallel()
	b, id := scriptEnv(t, ProfileHuaweiHG8245H, map[string]string{
		"uptime": `declare("InternetGatewayDevice.DeviceInfo.UpTime", {value: Date.now()});`,
	})
	// After the bootstrap, only the Inform's parameters.
	docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "InternetGatewayDevice")
	info := docs[0]["InternetGatewayDevice"].(map[string]any)["DeviceInfo"].(map[string]any)
	require.Contains(t, info, "SoftwareVersion")
	require.NotContains(t, info, "UpTime", "nothing fetched it yet")
	_, ok := info["SoftwareVersion"].(map[string]any)["_writable"]
	require.False(t, ok, "writability is unknown before a GetParameterNames")

	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Nil(t, b.faultOf(id, "uptime"))
	docs, _ = b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "InternetGatewayDevice")
	info = docs[0]["InternetGatewayDevice"].(map[string]any)["DeviceInfo"].(map[string]any)
	up := info["UpTime"].(map[string]any)
	require.Contains(t, up, "_value")
	require.Equal(t, false, up["_writable"])
	require.Contains(t, info, "X_HW_CpuUsed", "the parent was listed")
	require.NotContains(t, info["X_HW_CpuUsed"].(map[string]any), "_value", "but only UpTime's value fetched")
	require.Contains(t, info, "_timestamp", "DeviceInfo's listing time")
	require.NotContains(t, docs[0]["InternetGatewayDevice"].(map[string]any), "LANDevice", "no Wi-Fi fetched")
}

func TestProvisionFaults(t *testing.T) {
	t.Parallel()
	t.Run("IllegalTagPath", func(t *testing.T) {
		t.Parallel()
		b, id := scriptEnv(t, ProfileZTEF660, map[string]string{"tagger": `declare("Tags.org:acme", null, {value: true});`})
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		f := b.faultOf(id, "tagger")
		require.NotNil(t, f)
		require.Equal(t, "script.Error", f["code"])
		require.Equal(t, "Invalid parameter path", f["message"])
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
		require.NotContains(t, docs[0], "_tags")
	})
	t.Run("EncodedTagIsSavedDecoded", func(t *testing.T) {
		t.Parallel()
		b, id := scriptEnv(t, ProfileZTEF660, map[string]string{"tagger": `
			declare("Tags.org0x3Aacme", null, {value: true});
			const seen = [];
			for (const t of declare("Tags.*", {value: 1})) seen.push(t.path);
			log(JSON.stringify(seen));`})
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Nil(t, b.faultOf(id, "tagger"))
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
		require.Equal(t, []any{"org:acme"}, docs[0]["_tags"])
	})
	t.Run("ThrownError", func(t *testing.T) {
		t.Parallel()
		b, id := scriptEnv(t, ProfileZTEF660, map[string]string{"boom": `throw new TypeError("nope");`})
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		f := b.faultOf(id, "boom")
		require.Equal(t, "script.TypeError", f["code"])
		require.Equal(t, "nope", f["message"])
		require.Equal(t, float64(0), f["retries"])
	})
	t.Run("TryCatchAroundCommit", func(t *testing.T) {
		t.Parallel()
		b, id := scriptEnv(t, ProfileZTEF660, map[string]string{"sneaky": `
			try { declare("InternetGatewayDevice.DeviceInfo.UpTime", {value: 1}).value; } catch (e) {}
			declare("InternetGatewayDevice.DeviceInfo.HardwareVersion", {value: 1}).value;`})
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		f := b.faultOf(id, "sneaky")
		require.Equal(t, "script.Error", f["code"])
		require.Equal(t, "Declare function should not be called from within a try/catch block", f["message"])
	})
}

func TestScriptReadsAndSets(t *testing.T) {
	t.Parallel()
	b, id := scriptEnv(t, ProfileHuaweiHG8245H, map[string]string{"set": `
		const ssid = declare("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", {value: 1});
		log("before " + ssid.value[0]);
		declare("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", null, {value: "Set-By-Script"});
		declare("InternetGatewayDevice.DeviceInfo.SpecVersion", null, {value: "9.9"});
		const missing = declare("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.NoSuchThing", {value: 1});
		log("missing " + missing.size);
		let n = 0;
		for (const w of declare("InternetGatewayDevice.LANDevice.1.WLANConfiguration.*.SSID", {path: 1})) n++;
		log("wlans " + n + " rnd " + Math.random().toFixed(6) + " now " + (Date.now() === new Date().getTime()));`})
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Nil(t, b.faultOf(id, "set"))
	d := b.sim.byID[id]
	r := mustResolve(t, b.sim, id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")
	require.Equal(t, "Set-By-Script", b.sim.rawValue(d, r), "the CPE took the value")
	require.Equal(t, "Set-By-Script", b.nbi.value(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"), "the document holds it")
	spec := mustResolve(t, b.sim, id, "InternetGatewayDevice.DeviceInfo.SpecVersion")
	require.Equal(t, "1.0", b.sim.rawValue(d, spec), "a read-only parameter is never written")
	_, err := os.Stat(filepath.Join(t.TempDir()))
	require.NoError(t, err)
}

// extEnv is a bundle whose GENIEACS_EXT_DIR holds the given scripts.
func extEnv(t *testing.T, scripts map[string]string) (*testBundle, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range scripts {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".js"), []byte(src), 0o600))
	}
	b := setup(t, setupOpts{opts: Options{ExtDir: dir, ExtTimeout: 10 * time.Second}})
	return b, b.addDevice(t, ProfileZTEF660)
}

func TestExtensions(t *testing.T) {
	t.Parallel()
	b, id := extEnv(t, map[string]string{
		"echo": `let calls = 0;
exports.hello = (args, cb) => { calls++; cb(null, {args, calls}); };
exports.boom = (args, cb) => cb(new RangeError("out of range " + args[0]));`,
		"broken": `require("no-such-module-anywhere");`,
	})
	for name, script := range map[string]string{
		"hello":   `const r = ext("echo", "hello", 1, true, "x"); declare("Tags.ok", null, {value: r.args.join() === "1,true,x"}); if (r.calls > 1) declare("Tags.warm", null, {value: true});`,
		"boom":    `ext("echo", "boom", "7");`,
		"nofn":    `ext("echo", "nope");`,
		"broken":  `ext("broken", "anything");`,
		"missing": `ext("nowhere", "fn");`,
	} {
		installScript(t, b.nbi, name, "2 PERIODIC", script)
	}
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	f := b.faultOf(id, "boom")
	require.Equal(t, "ext.RangeError", f["code"])
	require.Equal(t, "out of range 7", f["message"])
	// Five channels faulted together first (one fault, retries 0), then
	// each was retried on its own at once and faulted again.
	require.EqualValues(t, 1, f["retries"])
	require.Equal(t, `[["boom"]]`, f["provisions"])
	require.Equal(t, "ext", b.faultOf(id, "nofn")["code"])
	require.Equal(t, "No such function 'nope' in extension 'echo'", b.faultOf(id, "nofn")["message"])
	require.Equal(t, "ext.Error", b.faultOf(id, "broken")["code"])
	require.Contains(t, b.faultOf(id, "broken")["message"], "no-such-module-anywhere")
	require.Equal(t, "ext.Error", b.faultOf(id, "missing")["code"])
	require.Contains(t, b.faultOf(id, "missing")["message"], "nowhere")
	require.Nil(t, b.faultOf(id, "hello"))
	docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
	tags := docs[0]["_tags"].([]any)
	// Pass 1 tags ok (the re-run found the call's result cached); the
	// document changed, so pass 2 calls again (each pass starts with an
	// empty cache) and the module's counter, kept between calls, says 2.
	require.ElementsMatch(t, []any{"ok", "warm"}, tags)
}

func TestPresetsMatchEventsAndPreconditions(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	hw := b.addDevice(t, ProfileHuaweiHG8245H)
	zte := b.addDevice(t, ProfileZTEF660)
	for name, p := range map[string]string{
		"expr":  `{"weight":0,"channel":"expr","events":{"2 PERIODIC":true},"precondition":"DeviceID.ProductClass = \"HG8245H\" AND Tags.vip IS NULL","configurations":[{"type":"add_tag","tag":"by-expr"}]}`,
		"json":  `{"weight":0,"channel":"json","events":{"2 PERIODIC":true},"precondition":"{\"_tags\":\"vip\"}","configurations":[{"type":"add_tag","tag":"by-json"}]}`,
		"boot":  `{"weight":0,"channel":"boot","events":{"0 BOOTSTRAP":true},"precondition":"","configurations":[{"type":"add_tag","tag":"by-boot"}]}`,
		"never": `{"weight":0,"channel":"never","events":{"2 PERIODIC":true,"1 BOOT":true},"configurations":[{"type":"add_tag","tag":"by-never"}]}`,
		"value": `{"weight":5,"channel":"value","events":{"2 PERIODIC":true},"configurations":[{"type":"value","name":"InternetGatewayDevice.DeviceInfo.ProvisioningCode","value":"FYBER"}]}`,
	} {
		r := b.nbi.must(http.MethodPut, "/presets/"+name, p)
		require.Equal(t, http.StatusOK, r.code)
	}
	b.nbi.must(http.MethodPost, "/devices/"+zte+"/tags/vip", "")
	require.NoError(t, b.sim.Inform(b.ctx, hw, "2 PERIODIC"))
	require.NoError(t, b.sim.Inform(b.ctx, zte, "2 PERIODIC"))
	tagsOf := func(id string) []any {
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
		return docs[0]["_tags"].([]any)
	}
	require.ElementsMatch(t, []any{"by-expr"}, tagsOf(hw))
	require.ElementsMatch(t, []any{"vip", "by-json"}, tagsOf(zte))
	require.Equal(t, "FYBER", b.nbi.value(hw, "InternetGatewayDevice.DeviceInfo.ProvisioningCode"))
}

func TestScriptSemantics(t *testing.T) {
	t.Parallel()
	b, id := scriptEnv(t, ProfileTPLinkAX10, map[string]string{"sem": `
		const now = Date.now();
		const hour = Date.now(3600000);
		if (hour > now || now - hour >= 3600000) throw new Error("Date.now(interval) " + hour + " " + now);
		const a = Math.random(), b2 = Math.random();
		if (!(a >= 0 && a < 1) || a === b2) throw new Error("random");
		// An alias picks the instance by its parameters' values.
		const wan = declare("Device.IP.Interface.[Name:wan].Status", {value: now});
		if (wan.size !== 1 || wan.path !== "Device.IP.Interface.2.Status") throw new Error("alias " + wan.path);
		// A value not declared reads undefined.
		if (declare("Device.DeviceInfo.UpTime", {path: 1}).value !== undefined) throw new Error("undeclared attribute");
		// args come from the preset.
		if (args.length !== 0) throw new Error("args " + JSON.stringify(args));
		declare("Tags.random-" + String(a).slice(2, 8), null, {value: true});`})
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Nil(t, b.faultOf(id, "sem"))
	first, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	again, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
	require.Equal(t, first[0]["_tags"], again[0]["_tags"], "Math.random is seeded by the device id: the same numbers every session")
}

func TestClearForgetsWhatWasFetched(t *testing.T) {
	t.Parallel()
	b, id := scriptEnv(t, ProfileHuaweiHG8245H, map[string]string{"reader": `declare("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", {value: 1});`})
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	_, ok := b.nbi.param(id, hwSSID, "_value")
	require.True(t, ok)
	installScript(t, b.nbi, "clearer", "6 CONNECTION REQUEST", `clear("InternetGatewayDevice", Date.now());`)
	require.NoError(t, b.sim.Inform(b.ctx, id, "6 CONNECTION REQUEST"))
	_, ok = b.nbi.param(id, hwSSID, "_value")
	require.False(t, ok, "cleared")
	_, ok = b.nbi.param(id, "InternetGatewayDevice.DeviceInfo.SoftwareVersion", "_value")
	require.True(t, ok, "this session's Inform parameters stay")
}

// TestDeclareInstanceCounts: declare(path.*, null, {path: n}) makes the
// CPE hold exactly n instances of a table, adding or deleting as GenieACS
// does; the document follows.
func TestDeclareInstanceCounts(t *testing.T) {
	t.Parallel()
	const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
	b, id := scriptEnv(t, ProfileHuaweiHG8245H, map[string]string{"count": `declare("` + table + `.*", null, {path: 3});`})
	count := func() int {
		t.Helper()
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, table)
		node := any(docs[0])
		for _, seg := range strings.Split(table, ".") {
			m, ok := node.(map[string]any)
			if !ok {
				return 0
			}
			node = m[seg]
		}
		n := 0
		for k := range node.(map[string]any) {
			if _, err := strconv.Atoi(k); err == nil {
				n++
			}
		}
		return n
	}
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Nil(t, b.faultOf(id, "count"))
	require.Equal(t, 3, count(), "grown to 3")
	r := b.nbi.must(http.MethodPut, "/provisions/count", `declare("`+table+`.*", null, {path: 1});`)
	require.Equal(t, http.StatusOK, r.code)
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Nil(t, b.faultOf(id, "count"))
	require.Equal(t, 1, count(), "shrunk to 1")
}

// TestPresetsApplyInWeightOrder: presets run lightest first, so for one
// parameter the heaviest preset's value is what the CPE keeps; equal
// weights go by name.
func TestPresetsApplyInWeightOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	id := b.addDevice(t, ProfileHuaweiHG8245H)
	const code = "InternetGatewayDevice.DeviceInfo.ProvisioningCode"
	for name, p := range map[string]string{
		"a-heavy": `{"weight":10,"channel":"a","events":{"2 PERIODIC":true},"configurations":[{"type":"value","name":"` + code + `","value":"HEAVY"}]}`,
		"z-light": `{"weight":0,"channel":"z","events":{"2 PERIODIC":true},"configurations":[{"type":"value","name":"` + code + `","value":"LIGHT"}]}`,
	} {
		r := b.nbi.must(http.MethodPut, "/presets/"+name, p)
		require.Equal(t, http.StatusOK, r.code)
	}
	require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
	require.Equal(t, "HEAVY", b.nbi.value(id, code), "the heavier preset wins although its name sorts first")
}
