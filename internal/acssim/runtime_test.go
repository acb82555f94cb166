package acssim

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

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
