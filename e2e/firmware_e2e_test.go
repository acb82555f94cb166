package e2e

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/mxschmitt/playwright-go"
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
	must(t, byTestID(p, "upload-file").SetInputFiles([]playwright.InputFile{{Name: "F660_V6.0.10P2T9.bin", MimeType: "application/octet-stream", Buffer: img}}))
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
