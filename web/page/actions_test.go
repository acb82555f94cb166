package page_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// requireFormError asserts a 422 re-render of the device page with field's
// message in the form named testid, which is open.
func requireFormError(t *testing.T, p webtest.Page, formID, field, msg string) {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, p.Body)
	f := p.TestID(formID)
	require.Equal(t, 1, f.Length(), "the %s is on the page", formID)
	require.Equal(t, msg, strings.TrimSpace(f.Find(`[data-testid="error-`+field+`"]`).Text()), "error-%s in %s", field, formID)
	_, open := f.Closest("details").Attr("open")
	require.True(t, open, "the %s is open to show its error", formID)
	require.Equal(t, 1, p.Doc.Find(`[data-testid="error-`+field+`"]`).Length(), "the message is shown beside the field once")
	// And summarised at the top, linking to the field.
	link := p.TestID("form-errors").Find(`a[data-field="` + field + `"]`)
	require.Equal(t, 1, link.Length(), "the summary names %s", field)
	require.Contains(t, link.Parent().Text(), msg)
}

// taskStatus is the status badge of the newest task of kind on a device
// page or tasks fragment.
func taskStatus(p webtest.Page, kind string) string {
	return p.TestID("task-row-" + kind).First().Find(`[data-testid="task-status"]`).Text()
}

// waitFragment reloads a fragment until done says it is finished.
func waitFragment(t *testing.T, br *webtest.Browser, path string, done func(webtest.Page) bool) webtest.Page {
	t.Helper()
	var p webtest.Page
	if !webtest.Wait(15*time.Second, func() bool {
		p = br.Get(path)
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		return done(p)
	}) {
		t.Fatalf("%s never finished: %s", path, p.Body)
	}
	return p
}

// polls reports whether a fragment's root asks htmx to reload it every
// second.
func polls(p webtest.Page, testid string) bool {
	v, _ := p.TestID(testid).Attr("hx-trigger")
	return v == "every 1s"
}

// formFields are the hidden inputs of the form with data-testid id, as the
// browser would send them.
func formFields(p webtest.Page, id string) url.Values {
	v := url.Values{}
	p.TestID(id).Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Add(name, val)
	})
	return v
}

// cloneForm copies a form before br.post adds its CSRF token to it.
func cloneForm(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// TestDeviceActionPages: every action form of the device page, as owners,
// technicians, viewers and another organization see it.
func TestDeviceActionPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 9)
	hw0, hw0GID := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	hw1, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 1)
	tp0, tp0GID := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	// A slow line: 10 MB at 2 Mbit/s take 42 device seconds (0.7 s here),
	// so the speed test is still running when its page answers.
	require.NoError(t, b.Sim.SetLineRate(tp0GID, 2))
	zte0, _ := b.SimDevice(t, b.OrgA, webtest.ModelZTE, 0)
	never := b.Device(t, "HWTC0000A0A0", false) // never informed: no actions

	rec := &webtest.BodyRecorder{}
	admin := b.LoggedIn(t, b.AdminA).Recorded(rec)
	const secret = "Kibanda-Secret-4471"
	const keyPath = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"
	const ssidPath = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"
	const interval = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
	devPath := func(id uuid.UUID) string { return "/devices/" + id.String() }
	tasks := func(t *testing.T) int { return b.Count(t, `SELECT count(*) FROM cpe_tasks`) }

	t.Run("DevicePageOffersEveryAction", func(t *testing.T) {
		br := admin.In(t)
		p := br.Get(devPath(hw0))
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("actions").Length())
		for _, id := range []string{"action-reboot", "action-refresh", "wifi-form", "ping-form", "speed-form", "params-form", "factory-form"} {
			require.Equal(t, 1, p.TestID(id).Length(), id)
		}
		require.Equal(t, "/devices/"+hw0.String()+"/diagnostics", p.TestID("diagnostics").AttrOr("hx-get", ""))
		require.Contains(t, p.TestID("device-tasks").Text(), "No tasks yet.")
		require.False(t, polls(p, "device-tasks"), "nothing to follow yet")
		_, open := p.TestID("wifi-form").Closest("details").Attr("open")
		require.False(t, open, "forms start closed")

		p = br.Get(devPath(never))
		require.Equal(t, http.StatusOK, p.Status)
		require.Zero(t, p.TestID("actions").Length(), "a device that never informed offers no actions")
		require.Zero(t, p.TestID("diagnostics").Length())
	})

	t.Run("WiFi", func(t *testing.T) {
		br := admin.In(t)
		p := br.Post(devPath(hw0)+"/wifi", url.Values{"ssid": {"Kibanda Home"}, "password": {secret}, "band": {"2.4GHz"}})
		p = follow(t, br, p, devPath(hw0))
		require.Equal(t, `Set Wi-Fi "Kibanda Home" (2.4 GHz): done.`, p.TestID("flash").Text())
		require.Equal(t, "done", taskStatus(p, action.KindWiFi))
		require.Contains(t, p.TestID("task-row-wifi").Text(), `set Wi-Fi "Kibanda Home" (2.4 GHz)`)
		ssid, _ := b.Sim.Value(hw0GID, ssidPath)
		require.Equal(t, "Kibanda Home", ssid)
		key, _ := b.Sim.Value(hw0GID, keyPath)
		require.Equal(t, secret, key, "the key reached the device")
		require.Empty(t, br.Get(devPath(hw0)).TestID("flash").Text(), "the flash shows once")
	})

	t.Run("WiFiInvalid", func(t *testing.T) {
		br := admin.In(t)
		before := tasks(t)
		passMsg := "must be 8 to 63 characters (a WPA2 passphrase) or exactly 64 hex digits"
		for _, tc := range []struct {
			name                 string
			ssid, password, band string
			field, msg           string
		}{
			{"ShortPassword", "Kibanda", "1234567", "both", "password", passMsg},
			{"NoPassword", "Kibanda", "", "both", "password", "is required"},
			{"NoSSIDWithAGoodPassword", "", secret, "both", "ssid", "is required"},
			{"SSIDTooLong", strings.Repeat("s", 33), secret, "both", "ssid", "must be at most 32 bytes (it is 33)"},
			{"BadBand", "Kibanda", secret, "6GHz", "band", "must be 2.4GHz, 5GHz or both"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := br.In(t).Post(devPath(hw0)+"/wifi", url.Values{"ssid": {tc.ssid}, "password": {tc.password}, "band": {tc.band}})
				requireFormError(t, p, "wifi-form", tc.field, tc.msg)
				require.Equal(t, tc.ssid, p.TestID("wifi-ssid").AttrOr("value", "?"), "the SSID is kept")
				_, hasValue := p.TestID("wifi-password").Attr("value")
				require.False(t, hasValue, "the password is never sent back")
				if tc.field != "band" {
					require.Equal(t, "true", p.TestID("wifi-form").Find(`[name="`+tc.field+`"]`).AttrOr("aria-invalid", ""))
				}
			})
		}
		require.Equal(t, before, tasks(t), "nothing is recorded for bad input")

		// The refused page keeps the address it was posted from (same site
		// only), so a reload shows the device page, not the POST.
		bad := url.Values{"_csrf": {br.CSRF}, "ssid": {""}, "password": {secret}}
		p := br.PostRaw(devPath(hw0)+"/wifi", bad, http.Header{"Referer": {br.Base + devPath(hw0) + "?range=7d"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, devPath(hw0)+"?range=7d", p.Doc.Find("body").AttrOr("data-url", "?"))
		p = br.PostRaw(devPath(hw0)+"/wifi", bad, http.Header{"Referer": {"https://evil.example" + devPath(hw0)}})
		require.Equal(t, "", p.Doc.Find("body").AttrOr("data-url", "?"), "another site's address is never taken")
		ssid, _ := b.Sim.Value(hw0GID, ssidPath)
		require.Equal(t, "Kibanda Home", ssid, "the device is untouched")
	})

	t.Run("Parameters", func(t *testing.T) {
		br := admin.In(t)
		p := br.Post(devPath(hw0)+"/parameters", url.Values{"path": {" " + interval + " "}, "value": {"600"}, "type": {""}})
		p = follow(t, br, p, devPath(hw0))
		require.Equal(t, "Set "+interval+" = 600: done.", p.TestID("flash").Text())
		require.Equal(t, "done", taskStatus(p, action.KindParameters))
		v, _ := b.Sim.Value(hw0GID, interval)
		require.Equal(t, "600", fmt.Sprint(v))

		before := tasks(t)
		notPath := `"Foo.Bar" is not a parameter path (InternetGatewayDevice.… or Device.…, no wildcards, no trailing dot)`
		for _, tc := range []struct{ name, path, value, typ, msg string }{
			{"NotAPath", "Foo.Bar", "1", "", notPath},
			{"NotANumber", interval, "abc", "", interval + `: "abc" is not a whole number`},
			{"BadType", interval, "600", "xsd:float", `type "xsd:float" is not one of xsd:string, xsd:boolean, xsd:unsignedInt, xsd:int, xsd:unsignedLong, xsd:long, xsd:dateTime, xsd:base64, xsd:hexBinary`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := br.In(t).Post(devPath(hw0)+"/parameters", url.Values{"path": {tc.path}, "value": {tc.value}, "type": {tc.typ}})
				requireFormError(t, p, "params-form", "parameters[0]", tc.msg)
				require.Equal(t, tc.path, p.TestID("params-path").AttrOr("value", ""))
				require.Equal(t, tc.value, p.TestID("params-value").AttrOr("value", ""))
			})
		}
		require.Equal(t, before, tasks(t))
	})

	t.Run("RebootAndRefresh", func(t *testing.T) {
		br := admin.In(t)
		p := follow(t, br, br.Post(devPath(zte0)+"/reboot", nil), devPath(zte0))
		require.Equal(t, "Reboot: done.", p.TestID("flash").Text())
		require.Equal(t, "done", taskStatus(p, action.KindReboot))
		p = follow(t, br, br.Post(devPath(tp0)+"/refresh", nil), devPath(tp0))
		require.Equal(t, "Refresh health values: done.", p.TestID("flash").Text())
		require.Equal(t, "done", taskStatus(p, action.KindRefresh))
		require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.reboot' AND target_id = $1`, zte0.String()))
	})

	t.Run("PingAndSpeedTestThenDiagnostics", func(t *testing.T) {
		br := admin.In(t)
		// Both started first: each device takes a moment to report.
		p := br.Post(devPath(hw1)+"/ping", url.Values{"host": {"8.8.8.8"}, "repetitions": {"3"}, "timeoutMs": {""}})
		p = follow(t, br, p, devPath(hw1))
		require.Equal(t, "Ping 8.8.8.8 ×3: the device is running it; results show below.", p.TestID("flash").Text())
		require.Equal(t, 1, p.TestID("task-row-ping").Length())
		p = follow(t, br, br.Post(devPath(tp0)+"/speed-test", url.Values{"downloadUrl": {""}}), devPath(tp0))
		require.Regexp(t, `^Speed test from .+/fyberpay-speedtest-10MB\.bin: the device is running it; results show below\.$`, p.TestID("flash").Text())

		frag := waitFragment(t, br, devPath(hw1)+"/diagnostics", func(p webtest.Page) bool {
			return !polls(p, "diagnostics") && strings.Contains(p.TestID("diag-ping").Text(), "replies")
		})
		require.Regexp(t, `^\s*\d+/3 replies, avg \d+ ms\s*$`, frag.TestID("diag-ping").Text())
		require.Equal(t, "Completed", frag.TestID("diag-ping-state").Text())
		require.Equal(t, "diagnostics-refresh from:body", frag.TestID("diagnostics").AttrOr("hx-trigger", ""))
		tf := br.Get(devPath(hw1) + "/tasks")
		require.Equal(t, http.StatusOK, tf.Status)
		require.Equal(t, "done", taskStatus(tf, action.KindPing))
		require.Contains(t, tf.TestID("task-message").Text(), "replies")
		require.False(t, polls(tf, "device-tasks"), "nothing open, nothing to poll")

		frag = waitFragment(t, br, devPath(tp0)+"/diagnostics", func(p webtest.Page) bool {
			return !polls(p, "diagnostics") && p.TestID("diag-download-state").Text() == "Complete"
		})
		require.Regexp(t, `^\d+\.\d Mbps$`, frag.TestID("diag-download-mbps").Text())
		require.Equal(t, "done", taskStatus(br.Get(devPath(tp0)+"/tasks"), action.KindSpeedTest))
	})

	t.Run("UploadTest", func(t *testing.T) {
		br := admin.In(t)
		p := follow(t, br, br.Post(devPath(hw0)+"/upload-test", url.Values{"uploadUrl": {"http://speed.isp.example/up"}, "mib": {"2"}}), devPath(hw0))
		require.Regexp(t, `^Upload test of 2 MiB to speed\.isp\.example/up: `, p.TestID("flash").Text())
		frag := waitFragment(t, br, devPath(hw0)+"/diagnostics", func(p webtest.Page) bool {
			return !polls(p, "diagnostics") && strings.Contains(p.TestID("diag-upload-mbps").Text(), "Mbps")
		})
		require.Regexp(t, `^\d+\.\d Mbps$`, frag.TestID("diag-upload-mbps").Text())
		before := tasks(t)
		for _, tc := range []struct{ url, mib, field, msg string }{
			{"", "", "uploadUrl", "is required: an HTTP server that takes the CPE's PUT"},
			{"http://x/y", "many", "mib", "must be between 1 and 1024"},
			{"http://x/y", "0", "mib", "must be between 1 and 1024"},
		} {
			requireFormError(t, br.Post(devPath(hw0)+"/upload-test", url.Values{"uploadUrl": {tc.url}, "mib": {tc.mib}}), "uptest-form", tc.field, tc.msg)
		}
		require.Equal(t, before, tasks(t))
		require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.ViewerA).Post(devPath(hw0)+"/upload-test", url.Values{"uploadUrl": {"http://x/y"}}).Status)
		require.Equal(t, http.StatusNotFound, b.LoggedIn(t, b.AdminB).Post(devPath(hw0)+"/upload-test", url.Values{"uploadUrl": {"http://x/y"}}).Status)
	})

	t.Run("PingInvalid", func(t *testing.T) {
		br := admin.In(t)
		before := tasks(t)
		hostMsg := "must be a host name (such as example.com) or an IP address"
		for _, tc := range []struct{ name, host, reps, timeout, field, msg string }{
			{"NoHost", "", "", "", "host", "is required"},
			{"HostWithSpace", "exa mple.com", "", "", "host", hostMsg},
			{"HostDigits", "1.2.3", "", "", "host", hostMsg},
			{"RepetitionsNotANumber", "8.8.8.8", "ten", "", "repetitions", "must be between 1 and 100"},
			{"RepetitionsZero", "8.8.8.8", "0", "", "repetitions", "must be between 1 and 100"},
			{"Repetitions101", "8.8.8.8", "101", "", "repetitions", "must be between 1 and 100"},
			{"TimeoutLow", "8.8.8.8", "", "99", "timeoutMs", "must be between 100 and 60000 milliseconds"},
			{"TimeoutNotANumber", "8.8.8.8", "", "soon", "timeoutMs", "must be between 100 and 60000 milliseconds"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := br.In(t).Post(devPath(hw1)+"/ping", url.Values{"host": {tc.host}, "repetitions": {tc.reps}, "timeoutMs": {tc.timeout}})
				requireFormError(t, p, "ping-form", tc.field, tc.msg)
				require.Equal(t, tc.host, p.TestID("ping-host").AttrOr("value", "?"))
				require.Equal(t, tc.reps, p.TestID("ping-reps").AttrOr("value", "?"))
			})
		}
		require.Equal(t, before, tasks(t))
	})

	t.Run("SpeedTestInvalid", func(t *testing.T) {
		br := admin.In(t)
		before := tasks(t)
		for _, tc := range []struct{ name, url, msg string }{
			{"FTP", "ftp://files.example.com/10MB.bin", "must be an http:// or https:// URL"},
			{"NoScheme", "files.example.com/10MB.bin", "must be an http:// or https:// URL"},
			{"TooLong", "http://files.example.com/" + strings.Repeat("a", 240), "must be at most 256 characters (TR-143)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := br.In(t).Post(devPath(tp0)+"/speed-test", url.Values{"downloadUrl": {tc.url}})
				requireFormError(t, p, "speed-form", "downloadUrl", tc.msg)
				require.Equal(t, tc.url, p.TestID("speed-url").AttrOr("value", ""))
			})
		}
		require.Equal(t, before, tasks(t))
	})

	t.Run("FactoryResetNeedsTheSerial", func(t *testing.T) {
		br := admin.In(t)
		serial := br.Get(devPath(hw0)).TestID("device-serial").Text()
		require.NotEmpty(t, serial)
		for _, typed := range []string{"", "yes", serial[:len(serial)-1], serial + "0"} {
			p := br.Post(devPath(hw0)+"/factory-reset", url.Values{"confirm": {typed}})
			requireFormError(t, p, "factory-form", "confirm", "type the serial "+serial+" exactly to confirm")
		}
		require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_tasks WHERE kind = 'factory_reset'`))
		v, _ := b.Sim.Value(hw0GID, interval)
		require.Equal(t, "600", fmt.Sprint(v), "the device kept its configuration")

		p := br.Post(devPath(hw0)+"/factory-reset", url.Values{"confirm": {"  " + strings.ToLower(serial) + " "}})
		p = follow(t, br, p, devPath(hw0))
		require.Equal(t, "Factory reset: done.", p.TestID("flash").Text())
		require.Equal(t, "done", taskStatus(p, action.KindFactoryReset))
		v, _ = b.Sim.Value(hw0GID, interval)
		require.NotEqual(t, "600", fmt.Sprint(v), "the reset restored the factory value")
	})

	t.Run("TechnicianHasNoAdvancedForm", func(t *testing.T) {
		br := b.LoggedIn(t, b.TechA).Recorded(rec)
		p := br.Get(devPath(hw1))
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("actions").Length(), "technicians act on devices")
		require.Equal(t, 1, p.TestID("wifi-form").Length())
		require.Zero(t, p.TestID("params-form").Length())
		require.Zero(t, p.TestID("params-open").Length())
		require.NotContains(t, p.Body, "/parameters")
		before := tasks(t)
		requireForbidden(t, br.Post(devPath(hw1)+"/parameters", url.Values{"path": {interval}, "value": {"900"}}), "parameters")
		require.Equal(t, before, tasks(t))
		p = follow(t, br, br.Post(devPath(hw1)+"/refresh", nil), devPath(hw1))
		require.Equal(t, "Refresh health values: done.", p.TestID("flash").Text())
	})

	posts := []struct {
		route string
		form  url.Values
	}{
		{"wifi", url.Values{"ssid": {"Home"}, "password": {"long-enough"}}},
		{"parameters", url.Values{"path": {interval}, "value": {"600"}}},
		{"reboot", nil},
		{"refresh", nil},
		{"factory-reset", url.Values{"confirm": {"whatever"}}},
		{"ping", url.Values{"host": {"8.8.8.8"}}},
		{"ping", url.Values{"host": {"8.8.8.8"}, "repetitions": {"ten"}}},
		{"speed-test", nil},
	}

	t.Run("ViewerForbiddenEveryAction", func(t *testing.T) {
		br := b.LoggedIn(t, b.ViewerA).Recorded(rec)
		p := br.Get(devPath(hw1))
		require.Equal(t, http.StatusOK, p.Status)
		require.Zero(t, p.TestID("actions").Length(), "no Actions article")
		require.Zero(t, p.Doc.Find(`form[action^="/devices/`+hw1.String()+`/"]`).Length(), "no form acts on the device")
		require.Zero(t, p.TestID("task-retry").Length()+p.TestID("task-cancel").Length())
		require.Equal(t, 1, p.TestID("task-row-ping").Length(), "viewers still see the tasks")
		before := tasks(t)
		for _, c := range posts {
			requireForbidden(t, br.Post(devPath(hw1)+"/"+c.route, cloneForm(c.form)), c.route+" "+c.form.Encode())
		}
		requireForbidden(t, br.Post("/devices/bulk", url.Values{"action": {"reboot"}, "ids": {hw1.String()}}), "bulk")
		require.Equal(t, before, tasks(t), "nothing was recorded")
		require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_bulk_actions`))
	})

	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminB).Recorded(rec)
		before := tasks(t)
		for _, id := range []string{hw1.String(), "not-a-uuid", uuid.NewString()} {
			for _, path := range []string{"", "/tasks", "/diagnostics"} {
				p := br.Get("/devices/" + id + path)
				require.Equal(t, http.StatusNotFound, p.Status, "GET %s%s", id, path)
				require.NotContains(t, p.Body, "Acme")
			}
			for _, c := range posts {
				p := br.Post("/devices/"+id+"/"+c.route, cloneForm(c.form))
				require.Equal(t, http.StatusNotFound, p.Status, "POST %s/%s %s: %s", id, c.route, c.form.Encode(), p.Body)
			}
			p := br.Post("/devices/"+id+"/wifi", url.Values{"ssid": {""}, "password": {""}})
			require.Equal(t, http.StatusNotFound, p.Status, "the device is looked up before the input")
		}
		require.Equal(t, before, tasks(t))
	})

	t.Run("WiFiPasswordNeverRendered", func(t *testing.T) {
		br := admin.In(t)
		for _, path := range []string{devPath(hw0), devPath(hw0) + "/tasks", "/tasks", "/audit", "/devices"} {
			require.Equal(t, http.StatusOK, br.Get(path).Status, path)
		}
		all := rec.Text()
		require.Contains(t, all, `Kibanda Home`, "the pages are there to look in")
		require.Contains(t, all, `/audit`)
		require.NotContains(t, all, secret)
		require.NotContains(t, b.Dump(t, "audit_log"), secret)
	})
}

// TestTaskPages: the Tasks page and its filters, retry and cancel from the
// device page and the Tasks page returning to a same-site back only, the
// fragments polling while a task is open, and another organization's tasks.
func TestTaskPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 6)
	ctx := context.Background()
	hw, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	zte, zteGID := b.SimDevice(t, b.OrgA, webtest.ModelZTE, 1)
	theirs, _ := b.SimDevice(t, b.OrgB, webtest.ModelHuawei, 1)
	require.NoError(t, b.Sim.SetOnline(zteGID, false))
	admin := b.LoggedIn(t, b.AdminA)
	zteSerial := admin.Get("/devices/" + zte.String()).TestID("device-serial").Text()
	require.NotEmpty(t, zteSerial)

	// One task of beta's, to be kept from acme.
	bb := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusSeeOther, bb.Post("/devices/"+theirs.String()+"/refresh", nil).Status)
	var theirTask uuid.UUID
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT id FROM cpe_tasks WHERE device_id = $1`, theirs).Scan(&theirTask))

	// An offline device's reboot stays queued.
	p := admin.Post("/devices/"+zte.String()+"/reboot", nil)
	p = follow(t, admin, p, "/devices/"+zte.String())
	require.Contains(t, p.TestID("flash").Text(), "Reboot: queued — ")
	require.Contains(t, p.TestID("flash").Text(), "GenieACS could not reach the device just now")
	require.Equal(t, "queued", taskStatus(p, action.KindReboot))
	cancelForm := p.TestID("task-row-reboot").Find(`form[action$="/cancel"]`)
	require.Equal(t, 1, cancelForm.Length())
	cancelPath := cancelForm.AttrOr("action", "")
	taskID := strings.TrimSuffix(strings.TrimPrefix(cancelPath, "/tasks/"), "/cancel")
	_, err := uuid.Parse(taskID)
	require.NoError(t, err, cancelPath)
	require.Equal(t, "/devices/"+zte.String(), cancelForm.Find(`input[name="back"]`).AttrOr("value", ""))
	require.Equal(t, "Wake device", strings.TrimSpace(p.TestID("task-row-reboot").Find(`[data-testid="task-retry"]`).Text()))
	status := func(t *testing.T) string {
		var s string
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT status FROM cpe_tasks WHERE id = $1`, taskID).Scan(&s))
		return s
	}

	t.Run("FragmentsPollWhileATaskIsOpen", func(t *testing.T) {
		br := admin.In(t)
		tf := br.Get("/devices/" + zte.String() + "/tasks")
		require.Equal(t, http.StatusOK, tf.Status)
		require.True(t, polls(tf, "device-tasks"))
		require.Equal(t, "/devices/"+zte.String()+"/tasks", tf.TestID("device-tasks").AttrOr("hx-get", ""))
		require.True(t, polls(br.Get("/devices/"+zte.String()), "device-tasks"), "the page polls from the start")
		// A ping waiting for the device keeps the diagnostics polling;
		// once cancelled they stop.
		p := follow(t, br, br.Post("/devices/"+zte.String()+"/ping", url.Values{"host": {"example.com"}}), "/devices/"+zte.String())
		require.Contains(t, p.TestID("flash").Text(), "Ping example.com ×10: queued — ")
		require.True(t, polls(br.Get("/devices/"+zte.String()+"/diagnostics"), "diagnostics"))
		cancel := p.TestID("task-row-ping").Find(`form[action$="/cancel"]`).AttrOr("action", "")
		require.NotEmpty(t, cancel)
		p = follow(t, br, br.Post(cancel, url.Values{"back": {"/devices/" + zte.String()}}), "/devices/"+zte.String())
		require.Equal(t, "Cancelled: ping example.com ×10 on "+zteSerial+" (cancelled).", p.TestID("flash").Text())
		require.Equal(t, "cancelled", taskStatus(p, action.KindPing))
		require.False(t, polls(br.Get("/devices/"+zte.String()+"/diagnostics"), "diagnostics"))
		require.True(t, polls(br.Get("/devices/"+zte.String()+"/tasks"), "device-tasks"), "the reboot is still open")
	})

	t.Run("ViewerSeesNoButtonsAndIsRefused", func(t *testing.T) {
		br := b.LoggedIn(t, b.ViewerA)
		p := br.Get("/devices/" + zte.String())
		require.Equal(t, "queued", taskStatus(p, action.KindReboot))
		require.Zero(t, p.TestID("task-retry").Length()+p.TestID("task-cancel").Length())
		p = br.Get("/tasks")
		require.Equal(t, 1, p.TestID("task-"+taskID).Length())
		require.Zero(t, p.TestID("task-retry").Length()+p.TestID("task-cancel").Length())
		for _, op := range []string{"retry", "cancel"} {
			requireForbidden(t, br.Post("/tasks/"+taskID+"/"+op, url.Values{"back": {"/tasks"}}), op)
		}
		require.Equal(t, "queued", status(t))
	})

	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		br := bb.In(t)
		for _, op := range []string{"retry", "cancel"} {
			for _, id := range []string{taskID, "not-a-uuid", uuid.NewString()} {
				p := br.Post("/tasks/"+id+"/"+op, url.Values{"back": {"/tasks"}})
				require.Equal(t, http.StatusNotFound, p.Status, "%s %s", op, id)
			}
		}
		require.Equal(t, "queued", status(t))
		p := br.Get("/tasks")
		require.Zero(t, p.TestID("task-"+taskID).Length())
		require.Equal(t, 1, p.TestID("task-"+theirTask.String()).Length())
		p = admin.In(t).Get("/tasks")
		require.Zero(t, p.TestID("task-"+theirTask.String()).Length(), "acme never sees beta's task")
		require.Zero(t, admin.In(t).Get("/tasks?device="+theirs.String()).TestID("tasks-table").Length())
		p = admin.In(t).Post("/tasks/"+theirTask.String()+"/retry", nil)
		require.Equal(t, http.StatusNotFound, p.Status)
	})

	t.Run("CancelAndRetryGoBack", func(t *testing.T) {
		br := admin.In(t)
		p := br.Post(cancelPath, url.Values{"back": {"/devices/" + zte.String()}})
		p = follow(t, br, p, "/devices/"+zte.String())
		require.Equal(t, "Cancelled: reboot on "+zteSerial+" (cancelled).", p.TestID("flash").Text())
		require.Equal(t, "cancelled", taskStatus(p, action.KindReboot))
		require.False(t, polls(p, "device-tasks"), "nothing open any more")
		require.Zero(t, p.TestID("task-row-reboot").Find(`[data-testid="task-cancel"]`).Length())

		// From the Tasks page, filtered: back to the same filtered page.
		p = br.Get("/tasks?kind=reboot&status=cancelled")
		row := p.TestID("task-" + taskID)
		require.Equal(t, 1, row.Length())
		retry := row.Find(`form[action$="/retry"]`)
		back := retry.Find(`input[name="back"]`).AttrOr("value", "")
		require.Equal(t, "/tasks?kind=reboot&status=cancelled", back)
		p = follow(t, br, br.Post(retry.AttrOr("action", ""), url.Values{"back": {back}}), back)
		require.Equal(t, "Retried: reboot on "+zteSerial+" (queued).", p.TestID("flash").Text())
		require.Zero(t, p.TestID("task-"+taskID).Length(), "no longer cancelled")
		require.Equal(t, "queued", status(t))
	})

	t.Run("OffSiteBackFallsBackToTasks", func(t *testing.T) {
		br := admin.In(t)
		for _, back := range []string{"//evil.example", "//evil.example/devices", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "devices", ""} {
			p := br.Post("/tasks/"+taskID+"/retry", url.Values{"back": {back}})
			p = follow(t, br, p, "/tasks")
			require.Equal(t, "Retried: reboot on "+zteSerial+" (queued).", p.TestID("flash").Text(), "back %q", back)
		}
		p := br.Post("/tasks/"+taskID+"/cancel", url.Values{"back": {"//evil.example"}})
		p = follow(t, br, p, "/tasks")
		require.Equal(t, "Cancelled: reboot on "+zteSerial+" (cancelled).", p.TestID("flash").Text())
		// A refused operation says why, and goes back all the same.
		p = br.Post("/tasks/"+taskID+"/cancel", url.Values{"back": {"/devices/" + zte.String()}})
		p = follow(t, br, p, "/devices/"+zte.String())
		require.Equal(t, "status: a cancelled task cannot be cancelled", p.TestID("flash").Text())
		p = follow(t, br, br.Post("/tasks/"+taskID+"/cancel", url.Values{"back": {"https://evil.example"}}), "/tasks")
		require.Equal(t, "status: a cancelled task cannot be cancelled", p.TestID("flash").Text())
	})

	t.Run("TasksPageFilters", func(t *testing.T) {
		br := admin.In(t)
		p := follow(t, br, br.Post("/devices/"+hw.String()+"/refresh", nil), "/devices/"+hw.String())
		require.Equal(t, "done", taskStatus(p, action.KindRefresh))
		count := func(p webtest.Page) int { return p.TestID("tasks-table").Find("tbody tr").Length() }
		all := br.Get("/tasks")
		require.Equal(t, http.StatusOK, all.Status)
		require.Equal(t, 3, count(all), "reboot, ping and refresh: %s", all.TestID("tasks-table").Text())
		for _, tc := range []struct {
			query string
			want  int
			kind  string
		}{
			{"?kind=refresh", 1, "refresh health values"},
			{"?kind=ping", 1, "ping example.com ×10"},
			{"?status=done", 1, "refresh health values"},
			{"?status=cancelled", 2, ""},
			{"?device=" + hw.String(), 1, "refresh health values"},
			{"?device=" + zte.String() + "&kind=reboot", 1, "reboot"},
			{"?kind=wifi", 0, ""},
		} {
			p := br.Get("/tasks" + tc.query)
			require.Equal(t, http.StatusOK, p.Status, tc.query)
			require.Equal(t, tc.want, count(p), "%s: %s", tc.query, p.TestID("tasks-table").Text())
			if tc.want == 0 {
				require.Equal(t, 1, p.TestID("no-tasks").Length())
			}
			if tc.kind != "" {
				require.Contains(t, p.TestID("tasks-table").Text(), tc.kind, tc.query)
			}
		}
		p = br.Get("/tasks?kind=refresh&status=done")
		require.Equal(t, "refresh", p.TestID("filter-task-kind").Find("option[selected]").AttrOr("value", ""))
		require.Equal(t, "done", p.TestID("filter-task-status").Find("option[selected]").AttrOr("value", ""))
		p = br.Get("/tasks?device=" + hw.String())
		require.Equal(t, hw.String(), p.TestID("task-filter").Find(`input[name="device"]`).AttrOr("value", ""), "the device filter is kept")

		for _, tc := range []struct{ query, field, msg string }{
			{"?status=sleeping", "status", "must be one of " + strings.Join(action.Statuses(), ", ")},
			{"?kind=explode", "kind", "must be one of " + strings.Join(action.Kinds(), ", ")},
		} {
			p := br.Get("/tasks" + tc.query)
			require.Equal(t, tc.msg, p.TestID("error-"+tc.field).Text(), tc.query)
			require.Equal(t, 3, count(p), "%s: the whole list instead", tc.query)
		}
		for _, tc := range []struct{ query, field, msg string }{
			{"?after=garbage", "after", "is not a cursor from a previous page"},
			{"?device=garbage", "device", "is not a device id"},
			{"?bulk=garbage", "bulk", "is not a bulk action id"},
		} {
			p := br.Get("/tasks" + tc.query)
			require.Equal(t, http.StatusUnprocessableEntity, p.Status, tc.query)
			require.Equal(t, tc.msg, p.TestID("error-"+tc.field).Text(), tc.query)
			require.Equal(t, 3, count(p), "%s: the whole list instead", tc.query)
		}
	})

	t.Run("TasksPagePages", func(t *testing.T) {
		br := admin.In(t)
		_, err := b.Pool.Exec(ctx, `INSERT INTO cpe_tasks (org_id, device_id, kind, summary, status, actor_label, expires_at, created_at, finished_at)
			SELECT $1, $2, 'refresh', 'old refresh ' || i, 'done', 'test', now(), now() - i * interval '1 minute', now()
			FROM generate_series(1, 55) i`, b.OrgA.ID, hw)
		require.NoError(t, err)
		p := br.Get("/tasks?kind=refresh")
		rows := p.TestID("tasks-table").Find("tbody tr")
		require.Equal(t, 50, rows.Length())
		next := p.TestID("tasks-next").AttrOr("href", "")
		require.True(t, strings.HasPrefix(next, "/tasks?"), next)
		u, err := url.Parse(next)
		require.NoError(t, err)
		require.Equal(t, "refresh", u.Query().Get("kind"), "the filter carries over")
		require.NotEmpty(t, u.Query().Get("after"))
		first := map[string]bool{}
		rows.Each(func(_ int, s *goquery.Selection) { first[s.AttrOr("data-testid", "")] = true })
		p = br.Get(next)
		rows = p.TestID("tasks-table").Find("tbody tr")
		require.Equal(t, 56-50, rows.Length())
		rows.Each(func(_ int, s *goquery.Selection) {
			require.False(t, first[s.AttrOr("data-testid", "")], "no task on two pages")
		})
		require.Zero(t, p.TestID("tasks-next").Length())
		require.Contains(t, rows.Last().Text(), "old refresh 55", "oldest last")
	})
}

// TestBulkPages: the bulk form on the devices list, by selection and by
// filter, its progress page, what each role is offered and allowed, and
// another organization's bulk action.
func TestBulkPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 9)
	ctx := context.Background()
	hw := make([]uuid.UUID, 3)
	for i := range hw {
		hw[i], _ = b.SimDevice(t, b.OrgA, webtest.ModelHuawei, i)
	}
	zte, _ := b.SimDevice(t, b.OrgA, webtest.ModelZTE, 0)
	tp, _ := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	theirs, _ := b.SimDevice(t, b.OrgB, webtest.ModelZTE, 1)
	admin := b.LoggedIn(t, b.AdminA)
	bulks := func(t *testing.T) int { return b.Count(t, `SELECT count(*) FROM cpe_bulk_actions`) }
	tags := func(t *testing.T, id uuid.UUID) []string {
		t.Helper()
		var tags []string
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT tags FROM cpe_devices WHERE id = $1`, id).Scan(&tags))
		return tags
	}
	options := func(p webtest.Page) []string {
		var v []string
		p.TestID("bulk-action").Find("option").Each(func(_ int, s *goquery.Selection) { v = append(v, s.AttrOr("value", "")) })
		return v
	}
	bulkPath := regexp.MustCompile(`^/bulk/[0-9a-f-]{36}$`)
	// waitDone follows a bulk action's progress fragment to the end.
	waitDone := func(t *testing.T, br *webtest.Browser, path string) webtest.Page {
		t.Helper()
		return waitFragment(t, br, path+"/progress", func(p webtest.Page) bool {
			if p.TestID("bulk-status").Text() == "running" {
				require.True(t, polls(p, "bulk-progress"), "a running bulk action polls")
				return false
			}
			return !polls(p, "bulk-progress")
		})
	}
	var started string

	t.Run("FormOfferedByRole", func(t *testing.T) {
		p := admin.In(t).Get("/devices")
		require.Equal(t, 1, p.TestID("bulk-form").Length())
		require.Equal(t, 5, p.Doc.Find(`input[type="checkbox"][name="ids"][form="bulk-form"]`).Length(), "one box per device of acme")
		require.Equal(t, []string{"", "reboot", "refresh", "tag_add", "tag_remove"}, options(p), "no action until one is chosen")
		require.Equal(t, 1, p.TestID("bulk-tag").Length())
		require.Equal(t, "5 devices match", p.TestID("devices-total").Text())
		require.Equal(t, "5", p.TestID("bulk-form").AttrOr("data-bulk-total", ""))

		p = b.LoggedIn(t, b.TechA).Get("/devices")
		require.Equal(t, 1, p.TestID("bulk-form").Length())
		require.Equal(t, []string{"", "reboot", "refresh"}, options(p), "tags only for owners and admins")
		require.Zero(t, p.TestID("bulk-tag").Length())

		vb := b.LoggedIn(t, b.ViewerA)
		p = vb.Get("/devices")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 5, p.TestID("devices-table").Find("tbody tr").Length(), "viewers see the devices")
		require.Zero(t, p.TestID("bulk-form").Length())
		require.Zero(t, p.TestID("select-device").Length())
		require.Zero(t, p.Doc.Find(`[form="bulk-form"]`).Length())
	})

	t.Run("BySelection", func(t *testing.T) {
		br := admin.In(t)
		p := br.Get("/devices")
		form := formFields(p, "bulk-form")
		require.Equal(t, "/devices", form.Get("back"))
		for _, id := range []uuid.UUID{zte, tp} {
			box := p.Doc.Find(`input[name="ids"][value="` + id.String() + `"]`)
			require.Equal(t, 1, box.Length(), id)
			form.Add("ids", box.AttrOr("value", ""))
		}
		form.Set("action", "reboot")
		form.Set("scope", "selected")
		p = br.Post("/devices/bulk", form)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		loc := p.Header.Get("Location")
		require.Regexp(t, bulkPath, loc)
		started = strings.TrimPrefix(loc, "/bulk/")
		p = br.Get(loc)
		require.Equal(t, http.StatusOK, p.Status)
		require.Contains(t, p.Body, "reboot on 2 selected devices")
		require.Equal(t, 1, p.TestID("bulk-progress").Length())
		require.Regexp(t, `^\d+ %$`, p.TestID("bulk-percent").Text())
		require.Equal(t, "2", p.TestID("bulk-bar").AttrOr("max", ""))

		p = waitDone(t, br, loc)
		require.Equal(t, "100 %", p.TestID("bulk-percent").Text())
		require.Equal(t, "done", p.TestID("bulk-status").Text())
		require.Equal(t, "2", p.TestID("bulk-bar").AttrOr("value", ""))
		require.Equal(t, 2, p.TestID("bulk-tasks").Find("tbody tr").Length())
		require.Contains(t, p.TestID("bulk-counts").Text(), "done: 2")
		p = br.Get(loc)
		require.Equal(t, "100 %", p.TestID("bulk-percent").Text(), "the page shows the end too")
		require.False(t, polls(p, "bulk-progress"))

		p = br.Get("/tasks?bulk=" + started)
		require.Equal(t, 2, p.TestID("tasks-table").Find("tbody tr").Length())
		require.Equal(t, 2, p.TestID("tasks-table").Find(`[data-testid="task-status"]:contains("done")`).Length())
	})

	t.Run("ByFilter", func(t *testing.T) {
		br := admin.In(t)
		p := br.Get("/devices?model=HG8245H")
		require.Equal(t, 3, p.TestID("select-device").Length())
		require.Equal(t, "3 devices match", p.TestID("devices-total").Text())
		form := formFields(p, "bulk-form")
		require.Equal(t, "HG8245H", form.Get("model"), "the form carries the list's filter")
		require.Equal(t, "/devices?model=HG8245H", form.Get("back"))
		form.Set("action", "tag_add")
		form.Set("tag", "vip")
		form.Set("scope", "filter")
		p = br.Post("/devices/bulk", form)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		loc := p.Header.Get("Location")
		require.Regexp(t, bulkPath, loc)
		p = br.Get(loc)
		require.Contains(t, p.Body, "add tag vip on model=HG8245H")
		p = waitDone(t, br, loc)
		require.Equal(t, "100 %", p.TestID("bulk-percent").Text())
		require.Contains(t, p.TestID("bulk-counts").Text(), "done: 3")
		for _, id := range hw {
			require.Contains(t, tags(t, id), "vip")
		}
		require.NotContains(t, tags(t, zte), "vip")
		require.NotContains(t, tags(t, theirs), "vip")
		p = br.Get("/devices?tag=vip")
		require.Equal(t, 3, p.TestID("select-device").Length())
	})

	t.Run("NothingChosenFlashesAndGoesBack", func(t *testing.T) {
		br := admin.In(t)
		before := bulks(t)
		for _, tc := range []struct {
			name string
			form url.Values
			to   string
			msg  string
		}{
			{"NoneSelected", url.Values{"action": {"reboot"}, "scope": {"selected"}, "back": {"/devices?model=F660"}}, "/devices?model=F660",
				"Bulk action not started — ids: select devices, or give a filter for every matching device"},
			{"FilterMatchesNothing", url.Values{"action": {"reboot"}, "scope": {"filter"}, "serial": {"NOPE0000"}, "back": {"/devices?serial=NOPE0000"}},
				"/devices?serial=NOPE0000", "Bulk action not started — filter: matches no devices"},
			{"TagMissing", url.Values{"action": {"tag_add"}, "tag": {""}, "scope": {"selected"}, "ids": {zte.String()}, "back": {"/devices"}}, "/devices",
				"Bulk action not started — tag: is required"},
			{"ManagedTag", url.Values{"action": {"tag_remove"}, "tag": {"org:acme"}, "scope": {"selected"}, "ids": {zte.String()}}, "/devices",
				"Bulk action not started — tag: org:, sub: and plan: tags are managed by FyberPay from assignments"},
			{"OffSiteBack", url.Values{"action": {"reboot"}, "scope": {"selected"}, "back": {"//evil.example"}}, "/devices",
				"Bulk action not started — ids: select devices, or give a filter for every matching device"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := follow(t, br.In(t), br.In(t).Post("/devices/bulk", tc.form), tc.to)
				require.Equal(t, tc.msg, p.TestID("flash").Text())
			})
		}
		p := br.Post("/devices/bulk", url.Values{"action": {"reboot"}, "scope": {"selected"}, "ids": {"nope"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status, "a tampered selection")
		require.Equal(t, before, bulks(t), "nothing was started")
	})

	t.Run("Roles", func(t *testing.T) {
		before := bulks(t)
		tb := b.LoggedIn(t, b.TechA)
		for _, a := range []string{"tag_add", "tag_remove"} {
			requireForbidden(t, tb.Post("/devices/bulk", url.Values{"action": {a}, "tag": {"vip"}, "scope": {"selected"}, "ids": {zte.String()}}), a)
		}
		vb := b.LoggedIn(t, b.ViewerA)
		for _, form := range []url.Values{
			{"action": {"reboot"}, "scope": {"selected"}, "ids": {zte.String()}},
			{"action": {"refresh"}, "scope": {"filter"}},
			{"action": {"reboot"}, "scope": {"selected"}},
			{"action": {"reboot"}, "scope": {"selected"}, "ids": {"nope"}},
		} {
			requireForbidden(t, vb.Post("/devices/bulk", form), form.Encode())
		}
		require.Equal(t, before, bulks(t))
		require.Equal(t, http.StatusOK, vb.Get("/bulk/"+started).Status, "viewers follow progress")
	})

	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		require.NotEmpty(t, started)
		bb := b.LoggedIn(t, b.AdminB)
		for _, path := range []string{"/bulk/" + started, "/bulk/" + started + "/progress", "/bulk/not-a-uuid", "/bulk/" + uuid.NewString()} {
			p := bb.Get(path)
			require.Equal(t, http.StatusNotFound, p.Status, path)
			require.NotContains(t, p.Body, "selected devices")
		}
		before := bulks(t)
		p := bb.Post("/devices/bulk", url.Values{"action": {"reboot"}, "scope": {"selected"}, "ids": {theirs.String(), zte.String()}})
		require.Equal(t, http.StatusNotFound, p.Status, "acme's device in beta's selection")
		require.Equal(t, before, bulks(t))
	})
}

// A bulk reboot of more than action.BulkConfirmOver devices asks for the
// number on a page of its own; a wrong number starts nothing.
func TestBulkRebootOfManyAsksForTheCount(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	testfactory.Fleet(ctx, t, b.Pool, b.OrgA, 700000, 30)
	testfactory.Fleet(ctx, t, b.Pool, b.OrgB, 800000, 3)
	admin := b.LoggedIn(t, b.AdminA)
	bulks := func(t *testing.T) int { return b.Count(t, `SELECT count(*) FROM cpe_bulk_actions`) }

	p := admin.Get("/devices")
	require.Equal(t, "30 devices match", p.TestID("devices-total").Text())
	p = admin.Get("/devices?serial=48575443000AAE60")
	require.Equal(t, "1 device matches", p.TestID("devices-total").Text(), "a search is counted too")

	form := formFields(admin.Get("/devices"), "bulk-form")
	form.Set("action", "reboot")
	form.Set("scope", "filter")
	p = admin.Post("/devices/bulk", form)
	require.Equal(t, http.StatusOK, p.Status, p.Header.Get("Location")+" "+admin.Get("/devices").TestID("flash").Text())
	require.Contains(t, p.TestID("bulk-confirm").Find("h1").Text(), "Reboot 30 devices?")
	require.Equal(t, "30", p.TestID("bulk-confirm-count").Text())
	require.Equal(t, "30", p.TestID("bulk-confirm-input").AttrOr("pattern", ""), "the browser checks the number too")
	require.Equal(t, "Reboot 30 devices", strings.TrimSpace(p.TestID("bulk-confirm-submit").Text()))
	require.Equal(t, 0, bulks(t), "nothing started before the number")

	again := formFields(p, "bulk-confirm")
	require.Equal(t, "reboot", again.Get("action"), "the choice is carried over")
	require.Equal(t, "filter", again.Get("scope"))
	again.Set("confirm", "3")
	p = admin.Post("/devices/bulk", again)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.TestID("form-errors").Text(), `"3" is not the number of devices; type 30`)
	require.Equal(t, 0, bulks(t))

	again.Set("confirm", "30")
	p = admin.Post("/devices/bulk", again)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	require.Regexp(t, `^/bulk/[0-9a-f-]{36}$`, p.Header.Get("Location"))
	require.Equal(t, 1, bulks(t))
	require.Equal(t, 30, b.Count(t, `SELECT total FROM cpe_bulk_actions`), "beta's devices are not counted")

	// A refresh of as many is not destructive: no number needed.
	form.Set("action", "refresh")
	p = admin.Post("/devices/bulk", form)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	require.Equal(t, 2, bulks(t))
	again.Del("_csrf")
	requireForbidden(t, b.LoggedIn(t, b.ViewerA).Post("/devices/bulk", again), "viewer")
}
