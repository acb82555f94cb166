package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// A CPE of another vendor reporting an assigned device's serial gets only
// the organization's tag through the real provision, never the
// subscriber's PPPoE; the admin sees the conflict on the device page
// (screenshots at 1280 and 390 px) and rejects it, after which the CPE is
// answered nothing.
func TestE2EIdentityConflict(t *testing.T) {
	t.Parallel()
	subscriber(t, "ilse", "home-40")
	id, real := ownedDevice(t, acssim.ProfileZTEF660, "ZTEGE2E40001", "ZTEGE2E40001")
	if st := callAPI(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", `{"subscriber":"ilse"}`, nil); st != http.StatusOK && st != http.StatusAccepted {
		t.Fatalf("assign: %d", st)
	}
	waitSim(t, real, "ilse@isp", []string{"org:acme", "sub:ilse"}, nil)

	impostor := simDevice(t, acssim.ProfileHuaweiHG8245H, "ZTEGE2E40001")
	waitSim(t, impostor, cpePPPoEUser(t, impostor), []string{"org:acme"}, []string{"sub:ilse", "plan:home-40"})
	if u := cpePPPoEUser(t, impostor); u == "ilse@isp" {
		t.Fatal("the impostor was given the subscriber's PPPoE login")
	}

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	conflict := byTestID(p, "identity-conflict")
	must(t, expect.Locator(conflict).ToContainText("OUI 344B50 → 00259E"))
	must(t, expect.Locator(conflict).ToContainText("no PPPoE or Wi-Fi secrets"))
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/identity-conflict-%d.png", w)), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		must(t, expect.Locator(conflict).ToBeInViewport()) // above the fold, where the eye is
	}
	// The operator's System page lists it too.
	_, err = p.Goto("/admin/system")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "conflict-row")).ToContainText("ZTEGE2E40001"))
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/system-conflicts-%d.png", w)), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}
	must(t, p.SetViewportSize(1280, 900))
	_, err = p.Goto("/devices/" + id)
	must(t, err)
	must(t, byTestID(p, "identity-reject").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Rejected the identity 00259E HG8245H"))
	must(t, expect.Locator(byTestID(p, "identity-conflict")).ToHaveCount(0))

	// Rejected: at its next BOOTSTRAP the CPE loses the organization's tag.
	must(t, suite.sim.Inform(context.Background(), impostor, "0 BOOTSTRAP"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, tags := simState(t, impostor)
		if !contains(tags, "org:acme") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rejected CPE keeps %v", tags)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitSim(t, real, "ilse@isp", []string{"org:acme", "sub:ilse"}, nil)
}
