package e2e

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// An admin saves a provision with a syntax error and sees its line and
// column; fixes it, saves, binds it to periodic informs; the history shows
// two versions; reverts; a technician sees it read-only.
func TestE2EProvisionEditor(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, adminEmail, staffPassword)
	must(t, byTestID(p, "nav-provisions").Click())
	must(t, byTestID(p, "provision-name").Fill("e2e-ntp"))
	must(t, byTestID(p, "provision-script").Fill("const server = 'pool.ntp.org';\ndeclare('Device.Time.NTPServer1', {value: 1}, {value: server);\n"))
	must(t, byTestID(p, "provision-save").Click())
	must(t, expect.Locator(byTestID(p, "error-script")).ToContainText(regexp.MustCompile(`line 2, column \d+`)))
	must(t, expect.Locator(byTestID(p, "provision-error-line")).ToContainText("declare('Device.Time.NTPServer1'"))
	must(t, expect.Locator(byTestID(p, "gutter-error-line")).ToHaveText("2\n")) // the editor's line numbers mark it
	must(t, expect.Locator(byTestID(p, "form-errors")).ToContainText("line 2, column"))
	must(t, expect.Locator(byTestID(p, "error-script")).ToBeInViewport()) // where the eye is: the field, focused
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/provision-error-%d.png", w)), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}
	must(t, p.SetViewportSize(1280, 900))

	must(t, byTestID(p, "provision-script").Fill("const server = 'pool.ntp.org';\ndeclare('Device.Time.NTPServer1', {value: 1}, {value: server});\n"))
	must(t, byTestID(p, "provision-save").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/provisions/e2e-ntp$`)))
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Saved e2e-ntp"))
	if got, ok := suite.sim.Provision("acme-e2e-ntp"); !ok || got == "" {
		t.Fatal("not in GenieACS")
	}
	must(t, byTestID(p, "provision-script").Fill("declare('Device.Time.NTPServer1', {value: 1}, {value: 'time.google.com'});\n"))
	must(t, byTestID(p, "provision-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("version 2"))
	must(t, byTestID(p, "bind-enabled").Check())
	must(t, byTestID(p, "bind-2-PERIODIC").Check())
	must(t, byTestID(p, "bind-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Saved when it runs"))
	if _, ok := suite.sim.Preset("acme-e2e-ntp"); !ok {
		t.Fatal("no preset in GenieACS")
	}
	must(t, expect.Locator(byTestID(p, "version-row")).ToHaveCount(2))
	must(t, p.Locator(`[data-testid="version-row"][data-version="1"]`).GetByTestId("version-revert").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Version 1's script is version 3 now"))
	if got, _ := suite.sim.Provision("acme-e2e-ntp"); !regexp.MustCompile(`pool\.ntp\.org`).MatchString(got) {
		t.Fatalf("GenieACS runs %q", got)
	}

	_, err := cli(staffPassword+"\n", "user", "create", "--org", orgSlug, "--email", "tech-prov@acme.example", "--role", "technician")
	must(t, err)
	tp := newPage(t)
	login(t, tp, "tech-prov@acme.example", staffPassword)
	_, err = tp.Goto("/provisions/e2e-ntp")
	must(t, err)
	must(t, expect.Locator(byTestID(tp, "provision-script")).ToHaveAttribute("readonly", ""))
	must(t, expect.Locator(byTestID(tp, "provision-save")).ToHaveCount(0))
	must(t, expect.Locator(byTestID(tp, "version-revert")).ToHaveCount(0))
}

// The spec's example, saved and bound to periodic informs from the page,
// sets the channel on the organization's TR-181 devices and on no other
// organization's.
func TestE2EProvisionRunsOnOwnDevicesOnly(t *testing.T) {
	t.Parallel()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	key := cliOrg(t, "provco", "Provisions ISP", [][2]string{{"admin@provco.example", "admin"}})
	const channel = "Device.WiFi.Radio.1.Channel"
	var own []string
	for i := range 2 {
		serial := fmt.Sprintf("AX10PROV%04d", i)
		own = append(own, simDevice(t, acssim.ProfileTPLinkAX10, serial))
		opsClaimPending(t, key, serial)
	}
	_, other := ownedDevice(t, acssim.ProfileTPLinkAX10, "AX10PROVX001", "AX10PROVX001") // acme's
	for _, gid := range append(own, other) {
		must(t, suite.sim.SetValue(gid, channel, float64(11)))
	}

	p := newPage(t)
	login(t, p, "admin@provco.example", staffPassword)
	_, err := p.Goto("/provisions")
	must(t, err)
	must(t, byTestID(p, "provision-name").Fill("wifi-channel"))
	must(t, byTestID(p, "provision-script").Fill("declare('Device.WiFi.Radio.1.Channel', {value: 1}, {value: 6});"))
	must(t, byTestID(p, "provision-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Saved wifi-channel"))
	must(t, byTestID(p, "bind-enabled").Check())
	must(t, byTestID(p, "bind-2-PERIODIC").Check())
	must(t, byTestID(p, "bind-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Saved when it runs"))

	for _, gid := range own { // the next periodic informs (every 5 s here)
		deadline := time.Now().Add(45 * time.Second)
		for fmt.Sprint(simValue(t, gid, channel)) != "6" {
			if time.Now().After(deadline) {
				t.Fatalf("%s: channel %v, want 6", gid, simValue(t, gid, channel))
			}
			<-time.After(250 * time.Millisecond)
		}
	}
	must(t, suite.sim.Inform(context.Background(), other, "2 PERIODIC"))
	if v := fmt.Sprint(simValue(t, other, channel)); v != "11" {
		t.Fatalf("another organization's device got channel %s", v)
	}
}
