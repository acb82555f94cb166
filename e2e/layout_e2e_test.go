package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// Every page at 1280 and 390 px: a screenshot each, and no page scrolls
// sideways (wide tables scroll inside their own box). On a phone the
// navigation is behind the Menu button.
func TestE2ELayoutNoSidewaysScroll(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	var missing []string
	p.OnResponse(func(r playwright.Response) {
		if r.Status() >= 400 {
			missing = append(missing, fmt.Sprintf("%d %s", r.Status(), r.URL()))
		}
	})
	login(t, p, adminEmail, staffPassword)
	pages := []string{"/", "/devices", "/devices/import", "/devices/new", "/pending", "/tasks", "/faults", "/firmware", "/firmware/deployments",
		"/firmware/deploy", "/provisions", "/subscribers", "/subscribers/new", "/plans", "/users", "/api-keys", "/settings/webhooks",
		"/audit", "/profile", "/settings/organization", "/api-docs", "/admin/integration", "/admin/system", "/admin/sync"}
	// And one of each detail page, on objects of this test's own.
	subscriber(t, "layout-wanjiru", "layout-plan")
	var subs struct{ Items []struct{ ID string } }
	if st := callAPI(t, http.MethodGet, "/cpe/subscribers?q=layout-wanjiru", "", &subs); st != http.StatusOK || len(subs.Items) != 1 {
		t.Fatalf("subscriber: %d %+v", st, subs)
	}
	dev, _ := ownedDevice(t, acssim.ProfileTPLinkAX10, "2233445566080", "2233445566080")
	var hook struct{ ID string }
	if st := callAPI(t, http.MethodPost, "/cpe/webhooks", `{"url":"http://127.0.0.1:9/layout","topics":["provision.deleted"],"description":"layout check"}`, &hook); st != http.StatusCreated {
		t.Fatalf("webhook: %d", st)
	}
	if st := callAPI(t, http.MethodPut, "/cpe/provisions/layout-ntp", `{"script":"declare('Device.Time.NTPServer1', {value: 1}, {value: 'pool.ntp.org'});"}`, nil); st != http.StatusOK {
		t.Fatalf("provision: %d", st)
	}
	pages = append(pages, "/subscribers/"+subs.Items[0].ID, "/devices/"+dev, "/devices/"+dev+"/checklist", "/settings/webhooks/"+hook.ID,
		"/settings/webhooks/"+hook.ID+"/log", "/provisions/layout-ntp")
	var wide []string
	for _, w := range []int{1280, 390} {
		must(t, p.SetViewportSize(w, 900))
		for _, path := range pages {
			_, err := p.Goto(path)
			must(t, err)
			name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(path, "-"), "-")
			if name == "" {
				name = "dashboard"
			}
			// A full-page shot of a long page takes seconds on a loaded
			// machine: more than the default 20 s is allowed.
			if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/page-%s-%d.png", name, w)), FullPage: playwright.Bool(true), Timeout: playwright.Float(90000)}); err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if n := overflow(t, p); n > 0 {
				wide = append(wide, fmt.Sprintf("%s at %d px: %.0f px too wide", path, w, n))
			}
		}
	}
	if len(wide) > 0 {
		t.Fatalf("pages that scroll sideways:\n%s", strings.Join(wide, "\n"))
	}
	// acme's first sign-in came from a browser in Nairobi: its pages show
	// East Africa Time, UTC on hover.
	must(t, p.SetViewportSize(1280, 900))
	_, err := p.Goto("/settings/organization")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "org-time-zone")).ToContainText("Africa/Nairobi"))
	_, err = p.Goto("/audit")
	must(t, err)
	must(t, expect.Locator(p.Locator("main time").First()).ToHaveText(regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d EAT$`)))
	must(t, expect.Locator(p.Locator("main time").First()).ToHaveAttribute("title", regexp.MustCompile(` UTC$`)))
	if len(missing) > 0 {
		t.Fatalf("requests the pages made that failed (a 404 in the console):\n%s", strings.Join(missing, "\n"))
	}

	// The icon a headed browser asks for (headless Chromium does not).
	resp, err := p.Goto("/static/favicon.svg")
	must(t, err)
	if resp.Status() != 200 {
		t.Fatalf("favicon: %d", resp.Status())
	}

	// On a phone the menu opens the navigation.
	must(t, p.SetViewportSize(390, 900))
	_, err = p.Goto("/")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "nav-devices")).Not().ToBeVisible())
	must(t, byTestID(p, "menu-toggle").Click())
	must(t, byTestID(p, "nav-devices").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices$`)))
}

// overflow is how many pixels the page is wider than the viewport.
func overflow(t *testing.T, p playwright.Page) float64 {
	t.Helper()
	over, err := p.Evaluate(`() => document.scrollingElement.scrollWidth - window.innerWidth`)
	must(t, err)
	switch v := over.(type) {
	case int:
		return float64(v)
	case float64:
		return v
	}
	t.Fatalf("scrollWidth - innerWidth is a %T", over)
	return 0
}

// shot screenshots the page as it is at 1280 and 390 px wide
// (artifacts/<name>-<width>.png), failing if it scrolls sideways at
// either; the viewport is 1280 px wide again afterwards.
func shot(t *testing.T, p playwright.Page, name string) {
	t.Helper()
	for _, w := range []int{390, 1280} {
		must(t, p.SetViewportSize(w, 900))
		if _, err := p.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(fmt.Sprintf("artifacts/%s-%d.png", name, w)), FullPage: playwright.Bool(true), Timeout: playwright.Float(90000)}); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if n := overflow(t, p); n > 0 {
			t.Fatalf("%s scrolls sideways at %d px (%.0f px too wide)", name, w, n)
		}
	}
}
