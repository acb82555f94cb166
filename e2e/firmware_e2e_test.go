package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// An admin uploads an image on the Firmware page: the progress shows while
// it streams, the library lists it with its size and sha256, and it is in
// GenieACS (the simulator) under acme's name with its metadata. A delete
// names what it deletes.
func TestE2EFirmwareUpload(t *testing.T) {
	t.Parallel()
	img := make([]byte, 6<<20)
	for i := range img {
		img[i] = byte(i * 31)
	}
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	must(t, byTestID(p, "nav-firmware").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/firmware$`)))
	must(t, byTestID(p, "upload-oui").Fill("344b50"))
	must(t, byTestID(p, "upload-model").Fill("F660"))
	must(t, byTestID(p, "upload-version").Fill("V6.0.10P2T9"))
	// A local path: the browser reads the file itself (a 6 MiB buffer
	// would cross the driver's pipe base64-encoded, slow on a busy machine).
	file := filepath.Join(t.TempDir(), "F660_V6.0.10P2T9.bin")
	must(t, os.WriteFile(file, img, 0o600))
	must(t, byTestID(p, "upload-file").SetInputFiles(file))
	// What the progress line says while the image goes, as each progress
	// event leaves it.
	_, err := p.Evaluate(`() => { window.__progress = [];
		document.addEventListener("htmx:xhr:progress", () => {
			const s = document.querySelector('[data-testid="upload-progress-text"]');
			if (s) { window.__progress.push(s.textContent); } }); }`)
	must(t, err)
	must(t, byTestID(p, "upload-submit").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Uploaded F660_V6.0.10P2T9.bin (F660 version V6.0.10P2T9, 6.0 MiB)", longContain))
	seen, err := p.Evaluate(`() => window.__progress`)
	must(t, err)
	shown := fmt.Sprint(seen)
	if !regexp.MustCompile(`\d+ % of 6\.0 MiB sent`).MatchString(shown) {
		t.Fatalf("the progress never showed: %q", shown)
	}
	row := p.Locator(`[data-testid="image-row"][data-filename="F660_V6.0.10P2T9.bin"]`)
	must(t, expect.Locator(row).ToContainText("6.0 MiB"))
	meta, size, ok := suite.sim.File("acme_F660_V6.0.10P2T9.bin")
	if !ok || size != int64(len(img)) || meta.Version != "V6.0.10P2T9" || meta.OUI != "344B50" || meta.FileType != "1 Firmware Upgrade Image" {
		t.Fatalf("in GenieACS: %v %d %+v", ok, size, meta)
	}
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/firmware-%d.png", w)), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		wide, err := p.Evaluate(`() => document.documentElement.scrollWidth > window.innerWidth`)
		must(t, err)
		if wide == true {
			t.Logf("the page scrolls sideways at %d px (the header's navigation; issue 16)", w)
		}
	}
	must(t, p.SetViewportSize(1280, 900))

	var asked string
	p.OnDialog(func(d playwright.Dialog) { asked = d.Message(); _ = d.Accept() })
	must(t, row.GetByTestId("image-delete").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Deleted F660_V6.0.10P2T9.bin"))
	if !regexp.MustCompile(`Delete F660_V6\.0\.10P2T9\.bin \(F660 version V6\.0\.10P2T9, 6\.0 MiB\)`).MatchString(asked) {
		t.Fatalf("the confirmation said %q", asked)
	}
	if _, _, ok := suite.sim.File("acme_F660_V6.0.10P2T9.bin"); ok {
		t.Fatal("still in GenieACS")
	}
}

// The firmware rollout tests run in their own organization, "fw", whose
// devices only they make: a deployment targets every device of a model.
const (
	fwSlug  = "fwco"
	fwAdmin = "admin@fw.example"
)

var fwOrg struct {
	mu  sync.Mutex
	key string
}

// fwFleet makes the fw organization once (an admin, an API key) and
// returns its key.
func fwFleet(t *testing.T) string {
	t.Helper()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	fwOrg.mu.Lock()
	defer fwOrg.mu.Unlock()
	if fwOrg.key != "" {
		return fwOrg.key
	}
	fwOrg.key = cliOrg(t, fwSlug, "Firmware Fibre", [][2]string{{fwAdmin, "admin"}})
	return fwOrg.key
}

// fwDevices adds n simulated devices of profile, claimed by fw, and
// returns their GenieACS ids; they report version from until flashed.
func fwDevices(t *testing.T, key, profile, prefix string, n int) []string {
	t.Helper()
	var gids []string
	for i := range n {
		serial := fmt.Sprintf("%s%04d", prefix, i)
		label := serial
		if profile == acssim.ProfileHuaweiHG8245H { // reported in hex, labelled HWTC...
			label = "HWTC" + strings.TrimPrefix(serial, "48575443")
		}
		gids = append(gids, simDevice(t, profile, serial))
		opsClaimPending(t, key, label)
	}
	return gids
}

// deployOnPage uploads an image and deploys it to its model from the
// pages, with waves 10 % / 100 %, and leaves the page on the deployment.
func deployOnPage(t *testing.T, p playwright.Page, oui, model, version, filename string, devices int) {
	t.Helper()
	_, err := p.Goto("/firmware")
	must(t, err)
	must(t, byTestID(p, "upload-oui").Fill(oui))
	must(t, byTestID(p, "upload-model").Fill(model))
	must(t, byTestID(p, "upload-version").Fill(version))
	must(t, byTestID(p, "upload-file").SetInputFiles([]playwright.InputFile{{Name: filename, MimeType: "application/octet-stream", Buffer: make([]byte, 256<<10)}}))
	must(t, byTestID(p, "upload-submit").Click())
	row := p.Locator(`[data-testid="image-row"][data-filename="` + filename + `"]`)
	must(t, expect.Locator(row).ToContainText(version, longContain))
	must(t, row.GetByTestId("image-deploy").Click())
	must(t, byTestID(p, "deploy-waves").Fill("10, 100"))
	must(t, byTestID(p, "deploy-cap").Fill("5"))
	must(t, byTestID(p, "deploy-min").Fill("1"))
	must(t, byTestID(p, "deploy-preview-button").Click())
	must(t, expect.Locator(byTestID(p, "deploy-preview-text")).ToContainText(fmt.Sprintf("%d %s devices would get %s", devices, model, filename)))
	must(t, expect.Locator(byTestID(p, "deploy-preview-text")).ToContainText(fmt.Sprintf("Waves: 1 + %d devices", devices-1)))
	must(t, byTestID(p, "deploy-submit").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/firmware/deployments/[0-9a-f-]{36}$`)))
}

// A deployment in waves of 10 % and 100 % from the pages: the simulated
// devices report the new version and the detail page reaches 100 % by
// itself.
func TestE2EFirmwareDeploy(t *testing.T) {
	t.Parallel()
	key := fwFleet(t)
	gids := fwDevices(t, key, acssim.ProfileHuaweiHG8245H, "48575443E2E8", 10)
	p := newPage(t)
	var asked string
	p.OnDialog(func(d playwright.Dialog) { asked = d.Message(); _ = d.Accept() })
	login(t, p, fwAdmin, staffPassword)
	deployOnPage(t, p, "00259E", "HG8245H", "V9-E2E", "HG8245H_V9-E2E.bin", 10)
	if !strings.Contains(asked, "to 10 devices") {
		t.Fatalf("the confirmation said %q", asked)
	}
	must(t, expect.Locator(byTestID(p, "deployment-percent")).ToHaveText("100 %", long))
	must(t, expect.Locator(byTestID(p, "deployment-state")).ToHaveText("completed", long))
	must(t, expect.Locator(byTestID(p, "count-upgraded")).ToHaveText("10"))
	for _, gid := range gids {
		if v := simValue(t, gid, swVersion098); v != "V9-E2E" {
			t.Fatalf("%s runs %s", gid, v)
		}
		if n := suite.sim.Downloads(gid); n != 1 {
			t.Fatalf("%s got %d downloads", gid, n)
		}
	}
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/deployment-%d.png", w)), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}
}

// An image the devices reject halts the rollout in its first wave: the
// page says why, and the rest of the fleet received no task.
func TestE2EFirmwareHalts(t *testing.T) {
	t.Parallel()
	key := fwFleet(t)
	gids := fwDevices(t, key, acssim.ProfileZTEF660, "ZTEGE2E9", 10)
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, fwAdmin, staffPassword)
	deployOnPage(t, p, "344B50", "F660", "V-BAD", "F660_V-BAD"+acssim.ImageFailMarker+".bin", 10)
	must(t, expect.Locator(byTestID(p, "deployment-state")).ToHaveText("halted", long))
	must(t, expect.Locator(byTestID(p, "halt-reason")).ToContainText("wave 1: 1 of 1 finished devices failed"))
	must(t, expect.Locator(byTestID(p, "failing-detail")).ToContainText("cwmp.9010"))
	must(t, expect.Locator(byTestID(p, "halt-reason")).ToBeInViewport()) // where the eye is
	must(t, expect.Locator(byTestID(p, "count-waiting")).ToHaveText("9"))
	sent := 0
	for _, gid := range gids {
		sent += suite.sim.Downloads(gid)
	}
	if sent != 1 {
		t.Fatalf("%d devices got the image; only the first wave's one should have", sent)
	}
	if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String("artifacts/deployment-halted-1280.png"), FullPage: playwright.Bool(true)}); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
}
