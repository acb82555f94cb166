package e2e

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/mxschmitt/playwright-go"
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
	must(t, expect.Locator(byTestID(p, "error")).ToContainText("line 2, column"))
	must(t, expect.Locator(byTestID(p, "error")).ToBeInViewport()) // where the eye is
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
