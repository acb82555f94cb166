package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// ownedDevice adds a simulated device, bootstraps it (it turns up under
// Pending) and claims it for acme; it returns our id and GenieACS's.
func ownedDevice(t *testing.T, profile, serial, label string) (string, string) {
	t.Helper()
	gid := simDevice(t, profile, serial)
	var pending struct {
		Items []struct{ ID, Serial string }
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		callAPI(t, http.MethodGet, "/cpe/pending?limit=500", "", &pending)
		for _, d := range pending.Items {
			if d.Serial == label {
				if st := callAPI(t, http.MethodPost, "/cpe/pending/"+d.ID+"/claim", "", nil); st != http.StatusOK {
					t.Fatalf("claim %s: %d", label, st)
				}
				return d.ID, gid
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed up as pending", label)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// simValue is what the simulated CPE really holds at path (keys included).
func simValue(t *testing.T, gid, path string) string {
	t.Helper()
	v, ok := suite.sim.Value(gid, path)
	if !ok {
		t.Fatalf("%s has no %s", gid, path)
	}
	return fmt.Sprint(v)
}

var long = playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(60000)}
var longContain = playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(60000)}

// A technician-level change of Wi-Fi from the device page, after several
// periodic informs, lands at each model's own paths: Huawei's key in
// PreSharedKey.1.PreSharedKey on TR-098, TP-Link's in Security.KeyPassphrase
// on TR-181.
func TestE2EWiFiOnTR098AndTR181(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	for _, tc := range []struct {
		profile, serial, label, ssidPath, keyPath, clientMAC string
	}{
		{acssim.ProfileHuaweiHG8245H, "48575443E2E40001", "HWTCE2E40001",
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey",
			"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceMACAddress"},
		{acssim.ProfileTPLinkAX10, "2233445566001", "2233445566001",
			"Device.WiFi.SSID.1.SSID", "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "Device.WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress"},
	} {
		id, gid := ownedDevice(t, tc.profile, tc.serial, tc.label)
		// Several periodic informs first: the health provision has read
		// parts of the Wi-Fi tree, as in a real fleet.
		for i := 0; i < 3; i++ {
			must(t, suite.sim.Inform(context.Background(), gid, "2 PERIODIC"))
		}
		_, err := p.Goto("/devices/" + id)
		must(t, err)
		must(t, byTestID(p, "wifi-open").Click())
		// A too-short key is refused by the browser: no round trip.
		must(t, byTestID(p, "wifi-ssid").Fill("Nyumbani-"+tc.label))
		must(t, byTestID(p, "wifi-password").Fill("short"))
		must(t, byTestID(p, "wifi-submit").Click())
		valid, err := byTestID(p, "wifi-password").Evaluate("el => el.validity.valid", nil)
		must(t, err)
		if valid != false {
			t.Fatalf("%s: the browser took a 5-character key", tc.label)
		}
		// What only the server can tell (32 bytes, not 32 characters):
		// the banner at the top names the field, the field has the focus,
		// and the address is still the device page's.
		must(t, byTestID(p, "wifi-ssid").Fill("Nyumbani-"+strings.Repeat("é", 20)))
		must(t, byTestID(p, "wifi-password").Fill("karibu-sana-2026"))
		must(t, byTestID(p, "wifi-submit").Click())
		must(t, expect.Locator(byTestID(p, "form-errors")).ToContainText("SSID must be at most 32 bytes (it is 49)"))
		must(t, expect.Locator(byTestID(p, "wifi-ssid")).ToBeFocused())
		must(t, expect.Page(p).ToHaveURL(suite.baseURL+"/devices/"+id))
		inView, err := byTestID(p, "form-errors").Evaluate("el => el.getBoundingClientRect().bottom > 0 || document.activeElement.name === 'ssid'", nil)
		must(t, err)
		if inView != true {
			t.Fatalf("%s: neither the banner nor the field is where the eye is", tc.label)
		}
		shot(t, p, "wifi-refused-"+tc.label)
		must(t, byTestID(p, "wifi-ssid").Fill("Nyumbani-"+tc.label))
		must(t, byTestID(p, "wifi-password").Fill("karibu-sana-2026"))
		_, err = byTestID(p, "wifi-band").SelectOption(playwright.SelectOptionValues{Values: &[]string{"2.4GHz"}})
		must(t, err)
		must(t, byTestID(p, "wifi-submit").Click())
		must(t, expect.Locator(byTestID(p, "flash")).ToContainText("done"))
		row := byTestID(p, "task-row-wifi").First()
		must(t, expect.Locator(row.GetByTestId("task-status")).ToHaveText("done"))
		if got := simValue(t, gid, tc.ssidPath); got != "Nyumbani-"+tc.label {
			t.Fatalf("%s: SSID %q", tc.label, got)
		}
		if got := simValue(t, gid, tc.keyPath); got != "karibu-sana-2026" {
			t.Fatalf("%s: key at %s is %q", tc.label, tc.keyPath, got)
		}
		content, err := p.Content()
		must(t, err)
		if strings.Contains(content, "karibu-sana-2026") {
			t.Fatal("the Wi-Fi key is shown on the page")
		}
		// The page opens with the device's own Wi-Fi name now, its WAN and
		// uptime (read from GenieACS).
		_, err = p.Reload()
		must(t, err)
		must(t, expect.Locator(byTestID(p, "line-ssid24")).ToHaveText("2.4 GHz Nyumbani-"+tc.label))
		must(t, expect.Locator(byTestID(p, "line-wan")).ToContainText("PPPoE · "))
		if tc.profile == acssim.ProfileHuaweiHG8245H { // a GPON ONT: its optical power
			must(t, expect.Locator(byTestID(p, "line-optical")).ToContainText(regexp.MustCompile(`Rx -\d+\.\d\d dBm`)))
		}
		shot(t, p, "device-glance-"+tc.label)
		// What is connected behind it, read from the device on demand.
		must(t, byTestID(p, "hosts-refresh").Click())
		must(t, expect.Locator(byTestID(p, "hosts-note")).ToContainText(": done."))
		must(t, expect.Locator(byTestID(p, "host-row").First()).ToBeVisible())
		// Its Wi-Fi clients with their signal, as the CPE reports it.
		mac := simValue(t, gid, tc.clientMAC)
		must(t, expect.Locator(p.Locator(`[data-testid="host-row"][data-mac="`+mac+`"] [data-testid="host-signal"]`)).
			ToHaveText(regexp.MustCompile(`^-\d+ dBm \((good|fair|weak)\)$`)))
		// The parameter tree, opened node by node down to the SSID.
		ssid := openTree(t, p, tc.ssidPath)
		must(t, expect.Locator(ssid.GetByTestId("tree-value")).ToHaveText("Nyumbani-"+tc.label))
		// Read that level from the device again; it answers in place.
		parent := tc.ssidPath[:strings.LastIndex(tc.ssidPath, ".")]
		level := p.Locator(`[data-testid="tree-level"][data-path="` + parent + `"]`)
		must(t, level.GetByTestId("tree-refresh").Click())
		must(t, expect.Locator(level.GetByTestId("tree-note")).ToHaveText("Refresh "+parent+": done."))
		must(t, expect.Locator(level.Locator(`[data-path="`+tc.ssidPath+`"] [data-testid="tree-value"]`)).ToHaveText("Nyumbani-"+tc.label))
		// Edit the name in the tree: set, read back, shown in place.
		node := level.Locator(`[data-path="` + tc.ssidPath + `"]`)
		must(t, node.GetByTestId("tree-edit").Click())
		must(t, node.GetByTestId("tree-edit-value").Fill("Mti-"+tc.label))
		must(t, node.GetByTestId("tree-edit-submit").Click())
		level = p.Locator(`[data-testid="tree-level"][data-path="` + parent + `"]`)
		must(t, expect.Locator(level.GetByTestId("tree-note")).ToContainText(": done."))
		must(t, expect.Locator(level.Locator(`[data-path="`+tc.ssidPath+`"] [data-testid="tree-value"]`)).ToHaveText("Mti-"+tc.label))
		if got := simValue(t, gid, tc.ssidPath); got != "Mti-"+tc.label {
			t.Fatalf("%s: SSID %q after the tree edit", tc.label, got)
		}
		shot(t, p, "device-tree-"+tc.label)
		// Find it by its value.
		must(t, byTestID(p, "tree-search").Fill("Mti-"+tc.label))
		must(t, expect.Locator(byTestID(p, "param-tree").Locator(`[data-testid="tree-node"][data-path="`+tc.ssidPath+`"]`)).ToBeVisible())
		must(t, expect.Locator(byTestID(p, "param-tree").GetByTestId("tree-note")).ToContainText(`holds "Mti-`+tc.label+`"`))
	}
}

// A reboot of an offline device shows "queued"; when the device comes back
// and informs, the page shows "done" by itself.
func TestE2EOfflineDeviceQueuedThenDone(t *testing.T) {
	t.Parallel()
	id, gid := ownedDevice(t, acssim.ProfileZTEF660, "ZTEGE2E50001", "ZTEGE2E50001")
	must(t, suite.sim.SetOnline(gid, false))
	t.Cleanup(func() { _ = suite.sim.SetOnline(gid, true) })
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, byTestID(p, "action-reboot").Click())
	row := byTestID(p, "task-row-reboot").First()
	must(t, expect.Locator(row.GetByTestId("task-status")).ToHaveText("queued"))
	must(t, expect.Locator(row.GetByTestId("task-message")).ToContainText("GenieACS could not reach the device just now"))

	must(t, suite.sim.SetOnline(gid, true))
	must(t, expect.Locator(row.GetByTestId("task-status")).ToHaveText("done", long))
}

// GenieACS answers 200 for a path the device lacks and does nothing: the
// path is read from the device first, and the form names it.
func TestE2ESetOnAMissingPathFails(t *testing.T) {
	t.Parallel()
	id, _ := ownedDevice(t, acssim.ProfileHuaweiHG8245H, "48575443E2E60001", "HWTCE2E60001")
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, byTestID(p, "params-open").Click())
	path := "InternetGatewayDevice.X_FYBER_NoSuch.Enable"
	must(t, byTestID(p, "params-path").Fill(path))
	must(t, byTestID(p, "params-value").Fill("true"))
	_, err = byTestID(p, "params-type").SelectOption(playwright.SelectOptionValues{Values: &[]string{"xsd:boolean"}})
	must(t, err)
	must(t, byTestID(p, "params-submit").Click())
	// FyberPay has GenieACS read the path first: the device has no such
	// parameter, so nothing is sent and the form says so.
	must(t, expect.Locator(byTestID(p, "params-form")).ToContainText("the device has no parameter "+path))
	must(t, expect.Locator(byTestID(p, "task-row-parameters")).ToHaveCount(0))
}

// Ping and speed-test results (Mbps) appear in the Diagnostics panel as
// they arrive, without reloading the page.
func TestE2EPingAndSpeedTest(t *testing.T) {
	t.Parallel()
	id, _ := ownedDevice(t, acssim.ProfileTPLinkAX10, "2233445566002", "2233445566002")
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, expect.Locator(byTestID(p, "diag-ping")).ToHaveText("—"))
	must(t, byTestID(p, "ping-open").Click())
	must(t, byTestID(p, "ping-host").Fill("not a host!"))
	must(t, byTestID(p, "ping-submit").Click())
	must(t, expect.Locator(byTestID(p, "ping-form")).ToContainText("host name"))
	must(t, byTestID(p, "ping-host").Fill("8.8.8.8"))
	must(t, byTestID(p, "ping-reps").Fill("2")) // done two (device) seconds after it was asked
	must(t, byTestID(p, "ping-submit").Click())
	must(t, expect.Locator(byTestID(p, "diag-ping")).ToContainText("replies", longContain))
	must(t, expect.Locator(byTestID(p, "task-row-ping").First().GetByTestId("task-status")).ToHaveText("done", long))

	// A traceroute beside it: the hops, the target last.
	must(t, byTestID(p, "traceroute-open").Click())
	must(t, byTestID(p, "traceroute-host").Fill("example.com"))
	must(t, byTestID(p, "traceroute-submit").Click())
	must(t, expect.Locator(byTestID(p, "traceroute-hop").Last()).ToContainText("example.com", longContain))
	must(t, expect.Locator(byTestID(p, "diag-traceroute-state")).ToHaveText(regexp.MustCompile(`^Completed?$`)))
	must(t, expect.Locator(byTestID(p, "task-row-traceroute").First().GetByTestId("task-status")).ToHaveText("done", long))
	shot(t, p, "traceroute")

	must(t, byTestID(p, "speed-open").Click())
	must(t, byTestID(p, "speed-submit").Click())
	must(t, expect.Locator(byTestID(p, "diag-download-mbps")).ToHaveText(regexp.MustCompile(`^[0-9.]+ Mbps$`), long))
	must(t, expect.Locator(byTestID(p, "task-row-speed_test").First().GetByTestId("task-status")).ToHaveText("done", long))

	// The upload test beside it.
	must(t, byTestID(p, "uptest-open").Click())
	must(t, byTestID(p, "uptest-url").Fill("http://speed.isp.example/upload"))
	must(t, byTestID(p, "uptest-mib").Fill("4"))
	must(t, byTestID(p, "uptest-submit").Click())
	must(t, expect.Locator(byTestID(p, "diag-upload-mbps")).ToHaveText(regexp.MustCompile(`^[0-9.]+ Mbps$`), long))
	must(t, expect.Locator(byTestID(p, "task-row-speed_test").First().GetByTestId("task-message")).ToContainText("Mbps up", longContain))
}

// A bulk reboot of a 200-device filter shows its progress up to 100 %.
func TestE2EBulkRebootOfAFilter(t *testing.T) {
	t.Parallel()
	const n = 200
	var csv strings.Builder
	csv.WriteString("serial,model,subscriber\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "ZTEGBK%06d,F660,\n", i)
	}
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/import")
	must(t, err)
	must(t, byTestID(p, "import-file").SetInputFiles([]playwright.InputFile{{Name: "bulk.csv", MimeType: "text/csv", Buffer: []byte(csv.String())}}))
	must(t, byTestID(p, "import-preview").Click())
	must(t, expect.Locator(byTestID(p, "import-summary")).ToContainText(fmt.Sprintf("%d valid", n)))
	must(t, byTestID(p, "import-commit").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText(fmt.Sprintf("Imported %d devices", n)))
	for i := 1; i <= n; i++ {
		simDevice(t, acssim.ProfileZTEF660, fmt.Sprintf("ZTEGBK%06d", i)) // identify knows them: acme's at once
	}

	_, err = p.Goto("/devices?serial=ZTEGBK")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "devices-total")).ToHaveText(fmt.Sprintf("%d devices match; 50 shown", n)))
	_, err = byTestID(p, "bulk-scope").SelectOption(playwright.SelectOptionValues{Values: &[]string{"filter"}})
	must(t, err)
	_, err = byTestID(p, "bulk-action").SelectOption(playwright.SelectOptionValues{Values: &[]string{"reboot"}})
	must(t, err)
	must(t, byTestID(p, "bulk-submit").Click())
	must(t, expect.Locator(byTestID(p, "bulk-confirm")).ToContainText(fmt.Sprintf("Reboot %d devices?", n)))
	must(t, byTestID(p, "bulk-confirm-input").Fill(fmt.Sprint(n)))
	must(t, byTestID(p, "bulk-confirm-submit").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/bulk/[0-9a-f-]{36}$`)))
	must(t, expect.Locator(byTestID(p, "bulk-progress")).ToContainText(fmt.Sprintf("of %d devices", n)))
	must(t, expect.Locator(byTestID(p, "bulk-percent")).ToHaveText("100 %", long))
	must(t, expect.Locator(byTestID(p, "bulk-status")).ToHaveText("done", long))
	must(t, expect.Locator(byTestID(p, "bulk-counts")).ToContainText("done: ", longContain))
}

// A reboot of a whole fleet (no filter) of more than 20 devices names the
// count and needs it typed; a small selection is confirmed in a dialog
// naming the action and the count.
func TestE2EBulkRebootOfTheWholeFleet(t *testing.T) {
	t.Parallel()
	const n = 23
	key := cliOrg(t, "fleetco", "Fleet Co", [][2]string{{"admin@fleetco.example", "admin"}})
	for i := 0; i < n; i++ {
		if st := opsAPI(t, key, http.MethodPost, "/cpe/devices", fmt.Sprintf(`{"serial":"FLEETCO%04d","model":"HG8245H"}`, i), nil); st != http.StatusCreated {
			t.Fatalf("add device %d: %d", i, st)
		}
	}
	p := newPage(t)
	var asked []string
	p.OnDialog(func(d playwright.Dialog) { asked = append(asked, d.Message()); _ = d.Dismiss() })
	login(t, p, "admin@fleetco.example", staffPassword)
	_, err := p.Goto("/devices")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "devices-total")).ToHaveText(fmt.Sprintf("%d devices match", n)))

	// Two selected: the dialog names the action and the count (dismissed:
	// nothing happens).
	must(t, byTestID(p, "select-device").Nth(0).Check())
	must(t, byTestID(p, "select-device").Nth(1).Check())
	_, err = byTestID(p, "bulk-action").SelectOption(playwright.SelectOptionValues{Values: &[]string{"reboot"}})
	must(t, err)
	must(t, byTestID(p, "bulk-submit").Click())
	must(t, expect.Page(p).ToHaveURL(suite.baseURL+"/devices"))
	if len(asked) != 1 || asked[0] != "Reboot 2 devices?" {
		t.Fatalf("dialogs: %q", asked)
	}

	// Every device: the server's page asks for the number.
	_, err = byTestID(p, "bulk-scope").SelectOption(playwright.SelectOptionValues{Values: &[]string{"filter"}})
	must(t, err)
	must(t, byTestID(p, "bulk-submit").Click())
	must(t, expect.Locator(byTestID(p, "bulk-confirm").Locator("h1")).ToHaveText(fmt.Sprintf("Reboot %d devices?", n)))
	if len(asked) != 1 {
		t.Fatalf("a dialog before the typed confirmation: %q", asked)
	}
	must(t, byTestID(p, "bulk-confirm-input").Fill("20"))
	must(t, byTestID(p, "bulk-confirm-submit").Click())
	valid, err := byTestID(p, "bulk-confirm-input").Evaluate("el => el.validity.valid", nil)
	must(t, err)
	if valid != false {
		t.Fatal("the browser took a wrong number")
	}
	shot(t, p, "bulk-confirm")
	must(t, byTestID(p, "bulk-confirm-input").Fill(fmt.Sprint(n)))
	must(t, byTestID(p, "bulk-confirm-submit").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/bulk/[0-9a-f-]{36}$`)))
	must(t, expect.Locator(byTestID(p, "bulk-progress")).ToContainText(fmt.Sprintf("of %d devices", n)))
}

// openTree opens the device page's parameter tree down to path's parent,
// one object at a time (each loads its level), and returns path's node.
func openTree(t *testing.T, p playwright.Page, path string) playwright.Locator {
	t.Helper()
	segs := strings.Split(path, ".")
	for i := 2; i < len(segs); i++ {
		node := p.Locator(`[data-testid="tree-node"][data-path="` + strings.Join(segs[:i], ".") + `"]`)
		must(t, node.Locator("summary").First().Click())
	}
	node := p.Locator(`[data-testid="tree-node"][data-path="` + path + `"]`)
	must(t, expect.Locator(node).ToBeVisible())
	return node
}
