package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// requireDone asserts a 200 with a done task of kind, and no Location.
func requireDone(t *testing.T, r webtest.APIResp, kind string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, action.StatusDone, r.Body["status"], r.Raw)
	require.Equal(t, kind, r.Body["kind"])
	require.NotEmpty(t, r.Body["finishedAt"])
	require.Empty(t, r.Header.Get("Location"), "a finished task needs no following")
}

// requireAccepted asserts a 202 with a task in status and a Location to it.
func requireAccepted(t *testing.T, r webtest.APIResp, status string) string {
	t.Helper()
	require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
	require.Equal(t, status, r.Body["status"], r.Raw)
	id, _ := r.Body["id"].(string)
	require.Equal(t, "/cpe/tasks/"+id, r.Header.Get("Location"))
	return id
}

// TestActionsWithoutGenieACS: with no GenieACS configured every action is
// refused with a 422 naming why, and nothing is recorded; reads still work.
func TestActionsWithoutGenieACS(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	dev := b.Device(t, "HWTC0000A001", false).String()
	for _, call := range []struct{ path, body string }{
		{"/cpe/devices/" + dev + "/reboot", ""},
		{"/cpe/devices/" + dev + "/wifi", `{"ssid":"Home","password":"long-enough"}`},
		{"/cpe/devices/" + dev + "/ping", `{"host":"8.8.8.8"}`},
		{"/cpe/devices/bulk", `{"action":"reboot","ids":["` + dev + `"]}`},
	} {
		r := b.Post(t, call.path, b.KeyA, call.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", call.path, r.Raw)
		require.Contains(t, r.ErrFields()["device"], "GenieACS is not configured", call.path)
		r = b.Post(t, call.path, b.KeyViewerA, call.body)
		require.Equal(t, http.StatusForbidden, r.Status, "viewers are refused before anything else: %s", call.path)
	}
	require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_tasks`))
	r := b.API(t, http.MethodGet, "/cpe/devices/"+dev+"/diagnostics", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, dev, r.Body["deviceId"])
	require.Equal(t, false, r.Body["running"])
	r = b.API(t, http.MethodGet, "/cpe/tasks", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotNil(t, r.Body["items"])
	require.Empty(t, r.Items())
}

// TestActionWiFi: a Wi-Fi change lands on the device and answers 200 done;
// every validation answers 422 with its field and nothing is recorded.
func TestActionWiFi(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	ctx := context.Background()
	dev, gid := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
	path := "/cpe/devices/" + dev.String() + "/wifi"
	const keyPath = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"

	t.Run("DoneInline", func(t *testing.T) {
		r := b.Post(t, path, tech, `{"ssid":"Kibanda Home","password":"s3cret-Kibanda!","band":"2.4GHz"}`)
		requireDone(t, r, action.KindWiFi)
		require.Equal(t, `set Wi-Fi "Kibanda Home" (2.4 GHz)`, r.Body["summary"])
		require.Equal(t, dev.String(), r.Body["deviceId"])
		d, err := b.ACS.GetDevice(ctx, gid, []string{"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"})
		require.NoError(t, err)
		require.Equal(t, "Kibanda Home", d.String("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"))
		key, ok := b.Sim.Value(gid, keyPath)
		require.True(t, ok)
		require.Equal(t, "s3cret-Kibanda!", key)
		require.NotContains(t, r.Raw, "s3cret-Kibanda!")
	})
	t.Run("RawPSKOf64HexAccepted", func(t *testing.T) {
		psk := strings.Repeat("a1B2", 16)
		r := b.Post(t, path, tech, `{"ssid":"Kibanda","password":"`+psk+`","band":"2.4"}`)
		requireDone(t, r, action.KindWiFi)
		key, _ := b.Sim.Value(gid, keyPath)
		require.Equal(t, psk, key)
	})
	t.Run("BoundariesAccepted", func(t *testing.T) {
		for _, body := range []string{
			`{"ssid":"` + strings.Repeat("s", 32) + `","password":"12345678","band":"5GHz"}`,
			`{"ssid":"` + strings.Repeat("é", 16) + `","password":"` + strings.Repeat("p", 63) + `","band":"both"}`,
			`{"ssid":"Cafe ☕","password":"with spaces & ~punctuation!"}`,
		} {
			requireDone(t, b.Post(t, path, tech, body), action.KindWiFi)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)
		passMsg := "must be 8 to 63 characters (a WPA2 passphrase) or exactly 64 hex digits"
		for _, tc := range []struct {
			name, body, field, msg string
		}{
			{"SSIDEmpty", `{"ssid":"","password":"long-enough"}`, "ssid", "is required"},
			{"SSIDOver32Bytes", `{"ssid":"` + strings.Repeat("é", 17) + `","password":"long-enough"}`, "ssid", "must be at most 32 bytes (it is 34)"},
			{"SSIDControlChar", `{"ssid":"home\tnet","password":"long-enough"}`, "ssid", "must not contain control characters"},
			{"PasswordEmpty", `{"ssid":"Home","password":""}`, "password", "is required"},
			{"PasswordUnder8", `{"ssid":"Home","password":"1234567"}`, "password", passMsg},
			{"PasswordOver63", `{"ssid":"Home","password":"` + strings.Repeat("x", 64) + `"}`, "password", passMsg},
			{"PasswordNonPrintable", `{"ssid":"Home","password":"pässwörd-1"}`, "password", "must be printable ASCII characters (letters, digits, punctuation, spaces)"},
			{"PasswordControlChar", `{"ssid":"Home","password":"long\u0001enough"}`, "password", "must not contain control characters"},
			{"BandInvalid", `{"ssid":"Home","password":"long-enough","band":"6GHz"}`, "band", "must be 2.4GHz, 5GHz or both"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				webtest.RequireInvalid(t, b.Post(t, path, tech, tc.body), tc.field, tc.msg)
			})
		}
		r := b.Post(t, path, tech, `{}`)
		webtest.RequireInvalid(t, r, "ssid", "is required")
		require.Equal(t, "is required", r.ErrFields()["password"], "every field is reported at once")
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`), "nothing is recorded for bad input")
	})
	t.Run("BadJSON", func(t *testing.T) {
		for _, body := range []string{`{"ssid":`, `{"ssid":"a","password":"long-enough","colour":"red"}`, `{"ssid":5}`, ``} {
			r := b.Post(t, path, tech, body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%q: %s", body, r.Raw)
			require.Equal(t, "bad_json", r.ErrCode())
		}
	})
}

// TestActionParameters: raw parameters are written and read back (owners and
// admins only); bad paths, types, values and read-only parameters are
// refused with 422 before anything is sent.
func TestActionParameters(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	ctx := context.Background()
	hw, hwGID := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	tp, _ := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	hwPath := "/cpe/devices/" + hw.String() + "/parameters"
	const interval = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
	const swVersion = "InternetGatewayDevice.DeviceInfo.SoftwareVersion"

	t.Run("WrittenAndReadBack", func(t *testing.T) {
		r := b.Post(t, hwPath, b.KeyA, `{"parameters":[["`+interval+`","600"]]}`)
		requireDone(t, r, action.KindParameters)
		require.Equal(t, "set "+interval+" = 600", r.Body["summary"])
		d, err := b.ACS.GetDevice(ctx, hwGID, []string{interval})
		require.NoError(t, err)
		require.Equal(t, "600", d.String(interval))
	})
	t.Run("MissingPathIsRefusedNamingIt", func(t *testing.T) {
		// GenieACS is asked to read it first; the device has no such
		// parameter, so nothing is sent.
		before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)
		missing := "InternetGatewayDevice.X_FYBER_Nothing.Enable"
		r := b.Post(t, hwPath, b.KeyA, `{"parameters":[["`+missing+`",true]]}`)
		webtest.RequireInvalid(t, r, "parameters[0]", "the device has no parameter "+missing)
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`))
	})
	t.Run("Invalid", func(t *testing.T) {
		before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)
		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprintf(`["InternetGatewayDevice.X_Test.P%d","1"]`, i)
		}
		notPath := func(p string) string {
			return fmt.Sprintf("%q is not a parameter path (InternetGatewayDevice.… or Device.…, no wildcards, no trailing dot)", p)
		}
		for _, tc := range []struct {
			name, device, params, field, msg string
		}{
			{"None", hwPath, `[]`, "parameters", "give at least one [path, value, type?]"},
			{"Over100", hwPath, `[` + strings.Join(many, ",") + `]`, "parameters", "at most 100 parameters at a time"},
			{"TrailingDot", hwPath, `[["InternetGatewayDevice.DeviceInfo.","x"]]`, "parameters[0]", notPath("InternetGatewayDevice.DeviceInfo.")},
			{"Wildcard", hwPath, `[["InternetGatewayDevice.LANDevice.*.Enable","1"]]`, "parameters[0]", notPath("InternetGatewayDevice.LANDevice.*.Enable")},
			{"UnknownRoot", hwPath, `[["Foo.Bar","1"]]`, "parameters[0]", notPath("Foo.Bar")},
			{"TR181PathOnTR098", hwPath, `[["Device.ManagementServer.PeriodicInformInterval","600"]]`, "parameters[0]",
				"Device.ManagementServer.PeriodicInformInterval: this device uses the TR-098 data model, so paths start with InternetGatewayDevice."},
			{"TR098PathOnTR181", "/cpe/devices/" + tp.String() + "/parameters", `[["` + interval + `","600"]]`, "parameters[0]",
				interval + ": this device uses the TR-181 data model, so paths start with Device."},
			{"Duplicate", hwPath, `[["` + interval + `","600"],["` + interval + `","900"]]`, "parameters[1]", interval + " is given twice"},
			{"BadTypeName", hwPath, `[["` + interval + `","600","xsd:float"]]`, "parameters[0]",
				`type "xsd:float" is not one of xsd:string, xsd:boolean, xsd:unsignedInt, xsd:int, xsd:unsignedLong, xsd:long, xsd:dateTime, xsd:base64, xsd:hexBinary`},
			{"NotANumberForTheTreesType", hwPath, `[["` + interval + `","abc"]]`, "parameters[0]", interval + `: "abc" is not a whole number`},
			{"NotANumberForTheGivenType", hwPath, `[["InternetGatewayDevice.X_Test.Count","abc","xsd:unsignedInt"]]`, "parameters[0]",
				`InternetGatewayDevice.X_Test.Count: "abc" is not a whole number`},
			{"NegativeUnsigned", hwPath, `[["` + interval + `",-1]]`, "parameters[0]", interval + ": -1 is out of range for xsd:unsignedInt"},
			{"NotABoolean", hwPath, `[["InternetGatewayDevice.ManagementServer.PeriodicInformEnable","maybe"]]`, "parameters[0]",
				"InternetGatewayDevice.ManagementServer.PeriodicInformEnable: maybe is not a boolean (true, false, 1 or 0)"},
			{"NotADateTime", hwPath, `[["InternetGatewayDevice.X_Test.When","yesterday","xsd:dateTime"]]`, "parameters[0]",
				`InternetGatewayDevice.X_Test.When: "yesterday" is not a date-time such as 2026-01-02T15:04:05Z`},
			{"NullValue", hwPath, `[["InternetGatewayDevice.ManagementServer.URL",null]]`, "parameters[0]",
				"InternetGatewayDevice.ManagementServer.URL: a value is required"},
			{"Object", hwPath, `[["InternetGatewayDevice.DeviceInfo","x"]]`, "parameters[0]", "InternetGatewayDevice.DeviceInfo is an object, not a parameter"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				webtest.RequireInvalid(t, b.Post(t, tc.device, b.KeyA, `{"parameters":`+tc.params+`}`), tc.field, tc.msg)
			})
		}
		r := b.Post(t, hwPath, b.KeyA, `{}`)
		webtest.RequireInvalid(t, r, "parameters", "give at least one [path, value, type?]")
		r = b.Post(t, hwPath, b.KeyA, `{"parameters":[["only-a-path"]]}`)
		require.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
		require.Equal(t, "bad_json", r.ErrCode())
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`), "nothing is recorded for bad input")
	})
	t.Run("ReadOnlyRefusedBeforeSending", func(t *testing.T) {
		// A Huawei of its own, which GenieACS has seen only at its
		// bootstrap. hw's first periodic inform lists DeviceInfo (the
		// health preset); it is due about a second after SetupWithSim
		// unless WrittenAndReadBack's session puts it off, a race a busy
		// machine lost.
		ro, roGID := b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
		roPath := "/cpe/devices/" + ro.String() + "/parameters"
		d, err := b.ACS.GetDevice(ctx, roGID, []string{swVersion})
		require.NoError(t, err)
		require.Nil(t, d.Params[swVersion].Writable, "writability is unknown until GenieACS lists DeviceInfo")
		before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)
		r := b.Post(t, roPath, b.KeyA, `{"parameters":[["`+swVersion+`","V9"]]}`)
		webtest.RequireInvalid(t, r, "parameters[0]", swVersion+" is read-only on this device")
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`), "refused before anything is sent")
		d, err = b.ACS.GetDevice(ctx, roGID, []string{swVersion})
		require.NoError(t, err)
		require.NotNil(t, d.Params[swVersion].Writable, "read from the device first")
		require.False(t, *d.Params[swVersion].Writable)
	})
	t.Run("WithoutConnectionRequestQueued", func(t *testing.T) {
		r := b.Post(t, hwPath, b.KeyA, `{"parameters":[["`+interval+`",900]],"connectionRequest":false}`)
		id := requireAccepted(t, r, action.StatusQueued)
		require.Equal(t, "queued in GenieACS for the device's next inform", r.Body["message"])
		// Technicians may neither retry nor cancel raw parameters.
		tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
		for _, op := range []string{"retry", "cancel"} {
			r = b.Post(t, "/cpe/tasks/"+id+"/"+op, tech, "")
			require.Equal(t, http.StatusForbidden, r.Status, op)
		}
		r = b.Post(t, "/cpe/tasks/"+id+"/cancel", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, action.StatusCancelled, r.Body["status"])
	})
	t.Run("TechnicianForbidden", func(t *testing.T) {
		tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
		r := b.Post(t, hwPath, tech, `{"parameters":[["`+interval+`","600"]]}`)
		require.Equal(t, http.StatusForbidden, r.Status, r.Raw)
		require.Equal(t, "forbidden", r.ErrCode())
	})
}

// TestActionRebootFactoryResetRefresh: each runs inline on an online device
// and answers 200 with the done task, audited.
func TestActionRebootFactoryResetRefresh(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
	for _, tc := range []struct{ route, kind, model, summary string }{
		{"reboot", action.KindReboot, webtest.ModelZTE, "reboot"},
		{"factory-reset", action.KindFactoryReset, webtest.ModelHuawei, "factory reset"},
		{"refresh", action.KindRefresh, webtest.ModelTPLink, "refresh health values"},
	} {
		t.Run(tc.route, func(t *testing.T) {
			dev, _ := b.SimDevice(t, b.OrgA, tc.model, 0)
			r := b.Post(t, "/cpe/devices/"+dev.String()+"/"+tc.route, tech, "")
			requireDone(t, r, tc.kind)
			require.Equal(t, tc.summary, r.Body["summary"])
			require.NotEmpty(t, r.Body["genieacsTaskId"])
			require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1 AND target_id = $2`, "cpe."+tc.kind, dev.String()))
			got := b.API(t, http.MethodGet, "/cpe/tasks/"+r.Body["id"].(string), b.KeyViewerA, "")
			require.Equal(t, http.StatusOK, got.Status)
			require.Equal(t, action.StatusDone, got.Body["status"])
		})
	}
}

// TestActionSpeedTestPingDiagnostics: tests answer 202 while the device runs
// them, their tasks end done with the results, and the diagnostics route
// shows them; bad input is a 422.
func TestActionSpeedTestPingDiagnostics(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
	tp, tpGID := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	hw, hwGID := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	tpPath, hwPath := "/cpe/devices/"+tp.String(), "/cpe/devices/"+hw.String()
	// Slow lines: 10 MB at 2 Mbit/s take 42 device seconds (0.7 s here), so
	// the tests are still running when the routes answer.
	require.NoError(t, b.Sim.SetLineRate(tpGID, 2))
	require.NoError(t, b.Sim.SetLineRate(hwGID, 2))

	// Started first: the device takes a moment to report.
	speed := b.Post(t, tpPath+"/speed-test", tech, "")
	speedID := requireAccepted(t, speed, action.StatusRunning)
	require.Contains(t, speed.Body["summary"], "/fyberpay-speedtest-10MB.bin", "the default file is on GENIEACS_FS_URL")
	ping := b.Post(t, hwPath+"/ping", tech, `{"host":"8.8.8.8","repetitions":0,"timeoutMs":0}`)
	// Ten device seconds are a sixth of a second here: on a loaded
	// machine the route may see it done before it answers.
	pingID, _ := ping.Body["id"].(string)
	if ping.Status == http.StatusOK {
		requireDone(t, ping, action.KindPing)
	} else {
		requireAccepted(t, ping, action.StatusRunning)
	}
	require.Equal(t, "ping 8.8.8.8 ×10", ping.Body["summary"], "repetitions default to 10")
	timeout, _ := b.Sim.Value(hwGID, "InternetGatewayDevice.IPPingDiagnostics.Timeout")
	require.Equal(t, "5000", fmt.Sprint(timeout), "the timeout defaults to 5000 ms")

	t.Run("Invalid", func(t *testing.T) {
		before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)
		hostMsg := "must be a host name (such as example.com) or an IP address"
		for _, tc := range []struct {
			name, route, body, field, msg string
		}{
			{"PingHostMissing", "/ping", `{}`, "host", "is required"},
			{"PingHostSpace", "/ping", `{"host":"exa mple.com"}`, "host", hostMsg},
			{"PingHostDigits", "/ping", `{"host":"1.2.3"}`, "host", hostMsg},
			{"PingHostHyphen", "/ping", `{"host":"-bad.example.com"}`, "host", hostMsg},
			{"PingRepetitions101", "/ping", `{"host":"8.8.8.8","repetitions":101}`, "repetitions", "must be between 1 and 100"},
			{"PingRepetitionsNegative", "/ping", `{"host":"8.8.8.8","repetitions":-1}`, "repetitions", "must be between 1 and 100"},
			{"PingTimeoutLow", "/ping", `{"host":"8.8.8.8","timeoutMs":99}`, "timeoutMs", "must be between 100 and 60000 milliseconds"},
			{"PingTimeoutHigh", "/ping", `{"host":"8.8.8.8","timeoutMs":60001}`, "timeoutMs", "must be between 100 and 60000 milliseconds"},
			{"SpeedTestFTP", "/speed-test", `{"downloadUrl":"ftp://files.example.com/10MB.bin"}`, "downloadUrl", "must be an http:// or https:// URL"},
			{"SpeedTestNoScheme", "/speed-test", `{"downloadUrl":"files.example.com/10MB.bin"}`, "downloadUrl", "must be an http:// or https:// URL"},
			{"SpeedTestNoHost", "/speed-test", `{"downloadUrl":"http://"}`, "downloadUrl", "must be an http:// or https:// URL"},
			{"SpeedTestTooLong", "/speed-test", `{"downloadUrl":"http://files.example.com/` + strings.Repeat("a", 240) + `"}`, "downloadUrl", "must be at most 256 characters (TR-143)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				webtest.RequireInvalid(t, b.Post(t, hwPath+tc.route, tech, tc.body), tc.field, tc.msg)
			})
		}
		r := b.Post(t, hwPath+"/ping", tech, `{"host":"8.8.8.8","repetitions":"ten"}`)
		require.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`))
	})

	t.Run("ResultsOnTheTaskAndDiagnostics", func(t *testing.T) {
		done := b.WaitTask(t, tech, speedID, action.StatusDone)
		require.Contains(t, done.Body["message"], "Mbps down")
		require.NotEmpty(t, done.Body["result"])
		done = b.WaitTask(t, tech, pingID, action.StatusDone)
		require.Contains(t, done.Body["message"], "replies")

		r := b.API(t, http.MethodGet, tpPath+"/diagnostics", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "TR-181", r.Body["dataModel"])
		dl := r.Body["download"].(map[string]any)
		require.Equal(t, "Complete", dl["state"])
		require.Greater(t, dl["mbps"], 0.0)
		require.Equal(t, false, r.Body["running"])

		r = b.API(t, http.MethodGet, hwPath+"/diagnostics", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		p := r.Body["ping"].(map[string]any)
		require.Equal(t, "Completed", p["state"])
		require.Equal(t, "8.8.8.8", p["host"])
		require.Equal(t, 10.0, p["repetitions"])
		require.NotNil(t, p["successCount"])
	})
	t.Run("GivenDownloadURL", func(t *testing.T) {
		r := b.Post(t, hwPath+"/speed-test", tech, `{"downloadUrl":"http://speed.example.net/10MB.bin"}`)
		requireAccepted(t, r, action.StatusRunning)
		require.Equal(t, "speed test from speed.example.net/10MB.bin", r.Body["summary"])
	})
}

// TestTaskRetryAndCancel: an offline device's task is queued (202); cancel
// and retry move it truthfully and refuse what does not apply.
func TestTaskRetryAndCancel(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
	dev, gid := b.SimDevice(t, b.OrgA, webtest.ModelZTE, 1)
	require.NoError(t, b.Sim.SetOnline(gid, false))

	r := b.Post(t, "/cpe/devices/"+dev.String()+"/reboot", tech, "")
	id := requireAccepted(t, r, action.StatusQueued)
	require.Contains(t, r.Body["message"], "GenieACS could not reach the device just now")
	task := "/cpe/tasks/" + id

	r = b.API(t, http.MethodGet, task, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, action.StatusQueued, r.Body["status"])
	require.Equal(t, "reboot", r.Body["kind"])

	r = b.Post(t, task+"/cancel", tech, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, action.StatusCancelled, r.Body["status"])
	require.NotEmpty(t, r.Body["finishedAt"])
	webtest.RequireInvalid(t, b.Post(t, task+"/cancel", tech, ""), "status", "a cancelled task cannot be cancelled")

	// GenieACS no longer holds it: a retry sends it afresh, and it waits
	// for the device again.
	r = b.Post(t, task+"/retry", tech, "")
	require.Equal(t, id, requireAccepted(t, r, action.StatusQueued))
	require.NoError(t, b.Sim.SetOnline(gid, true))
	b.WaitTask(t, tech, id, action.StatusDone)

	webtest.RequireInvalid(t, b.Post(t, task+"/retry", tech, ""), "status", "a done task cannot be retried")
	webtest.RequireInvalid(t, b.Post(t, task+"/cancel", tech, ""), "status", "a done task cannot be cancelled")
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.task_cancel' AND target_id = $1`, dev.String()))
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.task_retry' AND target_id = $1`, dev.String()))
	for _, op := range []string{"retry", "cancel"} {
		r = b.Post(t, task+"/"+op, b.KeyViewerA, "")
		require.Equal(t, http.StatusForbidden, r.Status, "viewer %s", op)
	}
}

// TestTasksList: the organization's tasks, newest first, filtered and
// keyset-paged; bad filters are 422; another organization sees only its own.
func TestTasksList(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	hw, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	tp, _ := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	theirs, _ := b.SimDevice(t, b.OrgB, webtest.ModelHuawei, 1)
	var ids []string
	for _, call := range []struct{ path, body string }{
		{"/cpe/devices/" + hw.String() + "/refresh", ""},
		{"/cpe/devices/" + tp.String() + "/refresh", ""},
		{"/cpe/devices/" + hw.String() + "/wifi", `{"ssid":"Kibanda","password":"long-enough"}`},
	} {
		r := b.Post(t, call.path, b.KeyA, call.body)
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		ids = append(ids, r.Body["id"].(string))
	}
	r := b.Post(t, "/cpe/devices/"+theirs.String()+"/refresh", b.KeyB, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	theirTask := r.Body["id"].(string)

	list := func(t *testing.T, key, query string) []string {
		t.Helper()
		r := b.API(t, http.MethodGet, "/cpe/tasks"+query, key, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		var out []string
		for _, it := range r.Items() {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		return out
	}
	t.Run("Filters", func(t *testing.T) {
		require.Equal(t, []string{ids[2], ids[1], ids[0]}, list(t, b.KeyViewerA, ""), "newest first, only acme's")
		require.Equal(t, []string{ids[1], ids[0]}, list(t, b.KeyA, "?kind=refresh"))
		require.Equal(t, []string{ids[2], ids[0]}, list(t, b.KeyA, "?device="+hw.String()))
		require.Equal(t, []string{ids[2], ids[1], ids[0]}, list(t, b.KeyA, "?status=done"))
		require.Empty(t, list(t, b.KeyA, "?status=failed"))
		require.Empty(t, list(t, b.KeyA, "?bulk="+uuid.NewString()))
		require.Empty(t, list(t, b.KeyA, "?device="+theirs.String()), "another organization's device has no tasks here")
		require.Equal(t, []string{theirTask}, list(t, b.KeyB, ""))
	})
	t.Run("Paging", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/tasks?limit=2", b.KeyA, "")
		require.Len(t, r.Items(), 2)
		next, _ := r.Body["next"].(string)
		require.NotEmpty(t, next)
		require.Equal(t, []string{ids[0]}, list(t, b.KeyA, "?limit=2&after="+next))
		r = b.API(t, http.MethodGet, "/cpe/tasks?limit=2&after="+next, b.KeyA, "")
		require.Nil(t, r.Body["next"], "the last page has no next")
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, tc := range []struct{ query, field, msg string }{
			{"?status=sleeping", "status", "must be one of " + strings.Join(action.Statuses(), ", ")},
			{"?kind=explode", "kind", "must be one of " + strings.Join(action.Kinds(), ", ")},
			{"?device=nope", "device", "must be an id"},
			{"?bulk=nope", "bulk", "must be an id"},
			{"?limit=abc", "limit", "must be a number between 1 and 500"},
			{"?limit=501", "limit", "must be between 1 and 500"},
			{"?after=garbage", "after", "is not a cursor from a previous page"},
		} {
			webtest.RequireInvalid(t, b.API(t, http.MethodGet, "/cpe/tasks"+tc.query, b.KeyA, ""), tc.field, tc.msg)
		}
	})
}

// TestBulkActions: a bulk action answers 202 with a Location, runs one task
// per device and reports progress; bad input is a 422 and roles are held.
func TestBulkActions(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 9)
	ctx := context.Background()
	tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
	hw0, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	hw1, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 1)
	zte, _ := b.SimDevice(t, b.OrgA, webtest.ModelZTE, 0)
	theirs, _ := b.SimDevice(t, b.OrgB, webtest.ModelHuawei, 2)

	start := func(t *testing.T, key, body string) string {
		t.Helper()
		r := b.Post(t, "/cpe/devices/bulk", key, body)
		require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
		id := r.Body["id"].(string)
		require.Equal(t, "/cpe/bulk/"+id, r.Header.Get("Location"))
		return id
	}
	tags := func(t *testing.T, id uuid.UUID) []string {
		t.Helper()
		var tags []string
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT tags FROM cpe_devices WHERE id = $1`, id).Scan(&tags))
		return tags
	}

	t.Run("RebootOfManyNeedsTheCount", func(t *testing.T) {
		o := testfactory.Org(ctx, t, b.Pool, nil)
		key := b.APIKey(t, o, actor.RoleTechnician)
		testfactory.Fleet(ctx, t, b.Pool, o, 900000, 25)
		before := b.Count(t, `SELECT count(*) FROM cpe_bulk_actions WHERE org_id = $1`, o.ID)
		r := b.Post(t, "/cpe/devices/bulk", key, `{"action":"reboot","filter":{}}`)
		webtest.RequireInvalid(t, r, "confirm", "this would reboot 25 devices; confirm with the number 25")
		r = b.Post(t, "/cpe/devices/bulk", key, `{"action":"reboot","filter":{},"confirm":"24"}`)
		webtest.RequireInvalid(t, r, "confirm", `"24" is not the number of devices (25)`)
		// A non-destructive action on as many needs nothing; a count, when
		// sent, is checked on any action.
		r = b.Post(t, "/cpe/devices/bulk", key, `{"action":"refresh","filter":{"model":"HG8245H"},"confirm":"25"}`)
		webtest.RequireInvalid(t, r, "confirm", `"25" is not the number of devices (9)`)
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_bulk_actions WHERE org_id = $1`, o.ID), "nothing started")
		id := start(t, key, `{"action":"reboot","filter":{},"confirm":" 25 "}`)
		require.Equal(t, 25.0, b.API(t, http.MethodGet, "/cpe/bulk/"+id, key, "").Body["total"])
	})

	t.Run("TagAddByFilter", func(t *testing.T) {
		id := start(t, b.KeyA, `{"action":"tag_add","tag":"vip","filter":{"model":"HG8245H"}}`)
		r := b.WaitBulk(t, b.KeyA, id)
		require.Equal(t, "done", r.Body["status"], r.Raw)
		require.Equal(t, "add tag vip on model=HG8245H", r.Body["summary"])
		require.Equal(t, 2.0, r.Body["total"])
		require.Equal(t, 2.0, r.Body["processed"])
		require.Equal(t, map[string]any{"done": 2.0}, r.Body["counts"])
		require.Contains(t, tags(t, hw0), "vip")
		require.Contains(t, tags(t, hw1), "vip")
		require.NotContains(t, tags(t, zte), "vip")
		require.NotContains(t, tags(t, theirs), "vip", "another organization's device is never touched")
		r = b.API(t, http.MethodGet, "/cpe/tasks?bulk="+id+"&limit=1", b.KeyA, "")
		require.Len(t, r.Items(), 1)
		first := r.Items()[0].(map[string]any)
		require.Equal(t, id, first["bulkId"])
		next, _ := r.Body["next"].(string)
		require.NotEmpty(t, next)
		r = b.API(t, http.MethodGet, "/cpe/tasks?bulk="+id+"&limit=1&after="+next, b.KeyA, "")
		require.Len(t, r.Items(), 1, "tasks recorded together page by id")
		require.NotEqual(t, first["id"], r.Items()[0].(map[string]any)["id"])
		require.Nil(t, r.Body["next"])
		require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.bulk_tag_add' AND target_id = $1`, id))
	})
	t.Run("TagRemoveByIDs", func(t *testing.T) {
		id := start(t, b.KeyA, `{"action":"tag_remove","tag":"vip","ids":["`+hw0.String()+`"]}`)
		r := b.WaitBulk(t, b.KeyA, id)
		require.Equal(t, "done", r.Body["status"], r.Raw)
		require.Equal(t, "remove tag vip on 1 selected devices", r.Body["summary"])
		require.NotContains(t, tags(t, hw0), "vip")
		require.Contains(t, tags(t, hw1), "vip")
	})
	t.Run("RebootByIDsAsTechnician", func(t *testing.T) {
		id := start(t, tech, `{"action":"reboot","ids":["`+hw0.String()+`","`+zte.String()+`","`+zte.String()+`"]}`)
		r := b.WaitBulk(t, tech, id)
		require.Equal(t, "done", r.Body["status"], r.Raw)
		require.Equal(t, 2.0, r.Body["total"], "duplicates count once")
		counts := r.Body["counts"].(map[string]any)
		done, _ := counts["done"].(float64)
		queued, _ := counts["queued"].(float64)
		require.Equal(t, 2.0, done+queued, r.Raw)
		require.Equal(t, 2.0, r.Body["processed"])
	})
	t.Run("Invalid", func(t *testing.T) {
		before := b.Count(t, `SELECT count(*) FROM cpe_bulk_actions`)
		ids := `"ids":["` + hw0.String() + `"]`
		for _, tc := range []struct{ name, body, field, msg string }{
			{"UnknownAction", `{"action":"explode",` + ids + `}`, "action", "must be one of reboot, refresh, tag_add, tag_remove"},
			{"FactoryReset", `{"action":"factory_reset",` + ids + `}`, "action", "is not offered on many devices at once; act on one device from its page"},
			{"Parameters", `{"action":"parameters",` + ids + `}`, "action", "is not offered on many devices at once; act on one device from its page"},
			{"TagMissing", `{"action":"tag_add",` + ids + `}`, "tag", "is required"},
			{"TagBad", `{"action":"tag_add","tag":"not a tag",` + ids + `}`, "tag", "must be 1 to 64 letters, digits or . _ : @ / + -"},
			{"ManagedOrgTag", `{"action":"tag_add","tag":"org:x",` + ids + `}`, "tag", "org:, sub: and plan: tags are managed by FyberPay from assignments"},
			{"ManagedSubTag", `{"action":"tag_remove","tag":"sub:alice",` + ids + `}`, "tag", "org:, sub: and plan: tags are managed by FyberPay from assignments"},
			{"IDsAndFilter", `{"action":"reboot",` + ids + `,"filter":{"model":"HG8245H"}}`, "ids", "give either ids or filter, not both"},
			{"Neither", `{"action":"reboot"}`, "ids", "select devices, or give a filter for every matching device"},
			{"FilterMatchesNothing", `{"action":"reboot","filter":{"model":"NOPE"}}`, "filter", "matches no devices"},
			{"FilterInvalid", `{"action":"reboot","filter":{"status":"sleeping"}}`, "filter.status", "must be online, offline, stale, unknown, pending_push, deleted_in_genieacs or optical_alarm"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				webtest.RequireInvalid(t, b.Post(t, "/cpe/devices/bulk", b.KeyA, tc.body), tc.field, tc.msg)
			})
		}
		r := b.Post(t, "/cpe/devices/bulk", b.KeyA, `{"action":"reboot","ids":["nope"]}`)
		require.Equal(t, http.StatusBadRequest, r.Status, r.Raw)
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_bulk_actions`), "nothing is recorded for bad input")
	})
	t.Run("Roles", func(t *testing.T) {
		ids := `"ids":["` + hw1.String() + `"]`
		for _, body := range []string{`{"action":"tag_add","tag":"vip",` + ids + `}`, `{"action":"tag_remove","tag":"vip",` + ids + `}`} {
			r := b.Post(t, "/cpe/devices/bulk", tech, body)
			require.Equal(t, http.StatusForbidden, r.Status, "technicians change no tags in bulk: %s", r.Raw)
		}
		for _, body := range []string{`{"action":"reboot",` + ids + `}`, `{"action":"refresh","filter":{}}`} {
			r := b.Post(t, "/cpe/devices/bulk", b.KeyViewerA, body)
			require.Equal(t, http.StatusForbidden, r.Status, r.Raw)
			require.Equal(t, "forbidden", r.ErrCode())
		}
	})
	t.Run("OtherOrganization", func(t *testing.T) {
		r := b.Post(t, "/cpe/devices/bulk", b.KeyA, `{"action":"refresh","ids":["`+hw1.String()+`","`+theirs.String()+`"]}`)
		require.Equal(t, http.StatusNotFound, r.Status, "a device of another organization is not found: %s", r.Raw)
		var mine string
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT id::text FROM cpe_bulk_actions WHERE org_id = $1 LIMIT 1`, b.OrgA.ID).Scan(&mine))
		r = b.API(t, http.MethodGet, "/cpe/bulk/"+mine, b.KeyB, "")
		require.Equal(t, http.StatusNotFound, r.Status)
		require.Equal(t, "not_found", r.ErrCode())
		require.NotContains(t, r.Raw, "vip")
		require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/bulk/"+mine, b.KeyViewerA, "").Status)
		for _, bad := range []string{"nope", uuid.NewString()} {
			require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/bulk/"+bad, b.KeyA, "").Status, bad)
		}
	})
}

// TestActionRolesAndTenancy: viewers are refused every action (403);
// another organization's device, task or bulk action and malformed or
// unknown ids are 404, never a leak; nothing is recorded for any of them.
func TestActionRolesAndTenancy(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	mine, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	theirs, _ := b.SimDevice(t, b.OrgB, webtest.ModelHuawei, 1)
	r := b.Post(t, "/cpe/devices/"+theirs.String()+"/refresh", b.KeyB, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	theirTask := r.Body["id"].(string)
	before := b.Count(t, `SELECT count(*) FROM cpe_tasks`)

	actions := []struct{ route, body string }{
		{"wifi", `{"ssid":"Home","password":"long-enough"}`},
		{"parameters", `{"parameters":[["InternetGatewayDevice.ManagementServer.PeriodicInformInterval","600"]]}`},
		{"reboot", ""},
		{"factory-reset", ""},
		{"refresh", ""},
		{"speed-test", `{}`},
		{"ping", `{"host":"8.8.8.8"}`},
	}
	t.Run("ViewerForbiddenEveryAction", func(t *testing.T) {
		for _, a := range actions {
			r := b.Post(t, "/cpe/devices/"+mine.String()+"/"+a.route, b.KeyViewerA, a.body)
			require.Equal(t, http.StatusForbidden, r.Status, "%s: %s", a.route, r.Raw)
			require.Equal(t, "forbidden", r.ErrCode())
		}
	})
	t.Run("OtherOrganizationsDeviceNotFound", func(t *testing.T) {
		for _, a := range actions {
			r := b.Post(t, "/cpe/devices/"+theirs.String()+"/"+a.route, b.KeyA, a.body)
			require.Equal(t, http.StatusNotFound, r.Status, "%s: %s", a.route, r.Raw)
			require.Equal(t, "not_found", r.ErrCode())
			require.NotContains(t, r.Raw, "beta")
		}
		// Even with bad input: the device is looked up first.
		r := b.Post(t, "/cpe/devices/"+theirs.String()+"/wifi", b.KeyA, `{"ssid":"","password":""}`)
		require.Equal(t, http.StatusNotFound, r.Status)
		r = b.API(t, http.MethodGet, "/cpe/devices/"+theirs.String()+"/diagnostics", b.KeyA, "")
		require.Equal(t, http.StatusNotFound, r.Status)
	})
	t.Run("MalformedAndUnknownIDsNotFound", func(t *testing.T) {
		for _, id := range []string{"not-a-uuid", "123", uuid.NewString()} {
			for _, a := range actions {
				r := b.Post(t, "/cpe/devices/"+id+"/"+a.route, b.KeyA, a.body)
				require.Equal(t, http.StatusNotFound, r.Status, "%s %s: %s", id, a.route, r.Raw)
				require.Equal(t, "not_found", r.ErrCode())
			}
			require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/"+id+"/diagnostics", b.KeyA, "").Status)
			require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/tasks/"+id, b.KeyA, "").Status)
			require.Equal(t, http.StatusNotFound, b.Post(t, "/cpe/tasks/"+id+"/retry", b.KeyA, "").Status)
			require.Equal(t, http.StatusNotFound, b.Post(t, "/cpe/tasks/"+id+"/cancel", b.KeyA, "").Status)
		}
	})
	t.Run("OtherOrganizationsTaskNotFound", func(t *testing.T) {
		for _, call := range []struct{ method, path string }{
			{http.MethodGet, "/cpe/tasks/" + theirTask},
			{http.MethodPost, "/cpe/tasks/" + theirTask + "/retry"},
			{http.MethodPost, "/cpe/tasks/" + theirTask + "/cancel"},
		} {
			r := b.API(t, call.method, call.path, b.KeyA, "")
			require.Equal(t, http.StatusNotFound, r.Status, "%s %s: %s", call.method, call.path, r.Raw)
			require.Equal(t, "not_found", r.ErrCode())
		}
		require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/tasks/"+theirTask, b.KeyB, "").Status, "beta reads its own task")
	})
	t.Run("Unauthenticated", func(t *testing.T) {
		r := b.Post(t, "/cpe/devices/"+mine.String()+"/reboot", "", "")
		require.Equal(t, http.StatusUnauthorized, r.Status)
		require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/tasks", "", "").Status)
	})
	t.Run("TechnicianMayActButNotWriteParameters", func(t *testing.T) {
		tech := b.APIKey(t, b.OrgA, actor.RoleTechnician)
		r := b.Post(t, "/cpe/devices/"+mine.String()+"/parameters", tech, actions[1].body)
		require.Equal(t, http.StatusForbidden, r.Status, r.Raw)
		require.Equal(t, before, b.Count(t, `SELECT count(*) FROM cpe_tasks`), "nothing was recorded for a refused call")
		r = b.Post(t, "/cpe/devices/"+mine.String()+"/refresh", tech, "")
		requireDone(t, r, action.KindRefresh)
	})
}

// TestActionSecretsNeverShown: a Wi-Fi key and a PPPoE password reach the
// device but never the response, the task, the audit log, outbox events,
// job arguments or the server logs.
func TestActionSecretsNeverShown(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	hw, hwGID := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	tp, tpGID := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	const wifiKey, pppPass = "Wifi-Secret-7731", "Pppoe-Secret-4419"
	const pppPath = "Device.PPP.Interface.1.Password"

	var bodies []string
	r := b.Post(t, "/cpe/devices/"+hw.String()+"/wifi", b.KeyA, `{"ssid":"Kibanda","password":"`+wifiKey+`"}`)
	requireDone(t, r, action.KindWiFi)
	bodies = append(bodies, r.Raw)
	require.Equal(t, `set Wi-Fi "Kibanda" (2.4 and 5 GHz)`, r.Body["summary"])
	got, _ := b.Sim.Value(hwGID, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey")
	require.Equal(t, wifiKey, got, "both bands got the key")

	r = b.Post(t, "/cpe/devices/"+tp.String()+"/parameters", b.KeyA,
		`{"parameters":[["`+pppPath+`","`+pppPass+`"],["Device.PPP.Interface.1.Username","alice"]]}`)
	requireDone(t, r, action.KindParameters)
	bodies = append(bodies, r.Raw)
	require.Equal(t, "set "+pppPath+" = ••••, Device.PPP.Interface.1.Username = alice", r.Body["summary"])
	got, _ = b.Sim.Value(tpGID, pppPath)
	require.Equal(t, pppPass, got, "the password reached the device")

	r = b.API(t, http.MethodGet, "/cpe/tasks", b.KeyA, "")
	require.Len(t, r.Items(), 2)
	bodies = append(bodies, r.Raw)

	audit := b.Dump(t, "audit_log")
	require.Contains(t, audit, "Kibanda", "the audit rows are there to look in")
	require.Contains(t, audit, pppPath)
	sinks := map[string]string{
		"responses": strings.Join(bodies, "\n"),
		"audit_log": audit,
		"cpe_tasks": b.Dump(t, "cpe_tasks"),
		"outbox":    b.Dump(t, "outbox_events"),
		"river_job": b.Dump(t, "river_job"),
		"logs":      b.Logs.String(),
	}
	require.Contains(t, sinks["logs"], `"route":"/cpe/devices/:id/wifi"`, "the logs are there to look in")
	for name, text := range sinks {
		for _, secret := range []string{wifiKey, pppPass} {
			require.NotContains(t, text, secret, "%s shows a secret", name)
		}
	}
}

// TestActionDeviceNotInGenieACS: an action on a device that never informed
// is refused with a 422 (but Wi-Fi, kept for its first contact); one
// GenieACS no longer knows fails truthfully, never a 500.
func TestActionDeviceNotInGenieACS(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	ctx := context.Background()
	never := b.Device(t, "HWTC0000A002", false)
	r := b.Post(t, "/cpe/devices/"+never.String()+"/reboot", b.KeyA, "")
	webtest.RequireInvalid(t, r, "device", "this device has not contacted GenieACS yet; actions are possible after its first inform")
	// Wi-Fi is kept for its first contact (the bootstrap provision applies
	// it; the task waits to read it back).
	r = b.Post(t, "/cpe/devices/"+never.String()+"/wifi", b.KeyA, `{"ssid":"Before-Contact","password":"first-contact-key"}`)
	requireAccepted(t, r, action.StatusPending)
	require.Contains(t, r.Body["message"], "kept for the device's first contact")
	r = b.API(t, http.MethodGet, "/cpe/devices/"+never.String()+"/diagnostics", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)

	gone := b.Device(t, "HWTC0000A003", false)
	require.NoError(t, cpetest.SetGenieACS(ctx, b.Pool, gone, "00E0FC-HG8245H-HWTC0000A003", "TR-098"))
	r = b.Post(t, "/cpe/devices/"+gone.String()+"/reboot", b.KeyA, "")
	requireAccepted(t, r, action.StatusFailed)
	require.Equal(t, "GenieACS does not know this device any more (deleted from GenieACS?)", r.Body["message"])
	r = b.Post(t, "/cpe/devices/"+gone.String()+"/parameters", b.KeyA, `{"parameters":[["InternetGatewayDevice.ManagementServer.PeriodicInformInterval","600"]]}`)
	webtest.RequireInvalid(t, r, "device", "GenieACS does not know this device any more (deleted from GenieACS?)")
	r = b.API(t, http.MethodGet, "/cpe/devices/"+gone.String()+"/diagnostics", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "TR-098", r.Body["dataModel"])
}
