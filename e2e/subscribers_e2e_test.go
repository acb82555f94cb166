package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// An admin creates a plan, then a subscriber with PPPoE credentials on that
// plan, finds them in the list, renames them leaving the password blank (it
// stays set) and suspends them (htmx swaps the status in place).
func TestE2ESubscriberLifecycle(t *testing.T) {
	t.Parallel()
	const pppPassword = "e2e-ppp-Secret-41"
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	must(t, expect.Locator(byTestID(p, "whoami")).ToHaveText(adminEmail))

	must(t, byTestID(p, "nav-plans").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/plans$`)))
	must(t, byTestID(p, "plan-name").Fill("E2E Fibre 50"))
	must(t, byTestID(p, "plan-group-input").Fill("e2e-fibre-50"))
	must(t, byTestID(p, "plan-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Added plan E2E Fibre 50."))
	must(t, expect.Locator(byTestID(p, "plan-row-E2E Fibre 50").GetByTestId("plan-group")).ToHaveText("e2e-fibre-50"))

	must(t, byTestID(p, "nav-subscribers").Click())
	must(t, byTestID(p, "subscriber-new").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/subscribers/new$`)))
	must(t, byTestID(p, "in-username").Fill("e2e.alice"))
	must(t, byTestID(p, "in-name").Fill("Alice Achieng"))
	must(t, byTestID(p, "in-phone").Fill("+254 700 000 001"))
	_, err := byTestID(p, "in-plan").SelectOption(playwright.SelectOptionValues{Labels: &[]string{"E2E Fibre 50 (e2e-fibre-50)"}})
	must(t, err)
	must(t, byTestID(p, "in-pppoe-username").Fill("e2e.alice@isp"))
	must(t, byTestID(p, "in-pppoe-password").Fill(pppPassword))
	must(t, byTestID(p, "subscriber-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Added subscriber e2e.alice."))
	must(t, expect.Locator(byTestID(p, "subscriber-title")).ToHaveText("e2e.alice"))
	must(t, expect.Locator(byTestID(p, "pppoe-status")).ToHaveText("set"))
	must(t, expect.Locator(byTestID(p, "in-pppoe-password")).ToHaveValue(""))

	// The list, narrowed by the search box (htmx swaps the results).
	must(t, byTestID(p, "nav-subscribers").Click())
	must(t, byTestID(p, "search-q").Fill("e2e.al"))
	row := byTestID(p, "subscriber-row-e2e.alice")
	must(t, expect.Locator(row).ToBeVisible())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`q=e2e\.al`)))
	must(t, expect.Locator(row.GetByTestId("subscriber-name")).ToHaveText("Alice Achieng"))
	must(t, expect.Locator(row.GetByTestId("subscriber-plan")).ToHaveText("E2E Fibre 50"))
	must(t, expect.Locator(row.GetByTestId("subscriber-status")).ToHaveText("active"))
	must(t, expect.Locator(row.GetByTestId("pppoe-status")).ToHaveText("set"))

	// Rename, leaving the (always empty) password field blank.
	must(t, row.GetByTestId("subscriber-open").Click())
	must(t, expect.Locator(byTestID(p, "pppoe-password-hint")).ToContainText("leave blank to keep the current password"))
	must(t, expect.Locator(byTestID(p, "in-pppoe-password")).ToHaveValue(""))
	must(t, byTestID(p, "in-name").Fill("Alice Wanjiru"))
	must(t, byTestID(p, "subscriber-save").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Saved subscriber e2e.alice."))
	must(t, expect.Locator(byTestID(p, "in-name")).ToHaveValue("Alice Wanjiru"))
	must(t, expect.Locator(byTestID(p, "pppoe-status")).ToHaveText("set"))

	// Suspend, confirming the dialog.
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	must(t, byTestID(p, "subscriber-suspend").Click())
	must(t, expect.Locator(byTestID(p, "subscriber-status")).ToHaveText("suspended"))
	must(t, expect.Locator(byTestID(p, "subscriber-activate")).ToBeVisible())

	must(t, byTestID(p, "nav-subscribers").Click())
	row = byTestID(p, "subscriber-row-e2e.alice")
	must(t, expect.Locator(row.GetByTestId("subscriber-status")).ToHaveText("suspended"))
	must(t, expect.Locator(row.GetByTestId("subscriber-name")).ToHaveText("Alice Wanjiru"))
	must(t, expect.Locator(row.GetByTestId("pppoe-status")).ToHaveText("set"))

	// The status select narrows the list by itself (htmx): alice is not
	// active any more.
	_, err = byTestID(p, "search-status").SelectOption(playwright.SelectOptionValues{Values: &[]string{"active"}})
	must(t, err)
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`status=active`)))
	must(t, expect.Locator(row).ToHaveCount(0))
	_, err = byTestID(p, "search-status").SelectOption(playwright.SelectOptionValues{Values: &[]string{"suspended"}})
	must(t, err)
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`status=suspended`)))
	must(t, expect.Locator(row).ToHaveCount(1))

	html, err := p.Content()
	must(t, err)
	if strings.Contains(html, pppPassword) {
		t.Fatal("the PPPoE password appears in the subscriber list")
	}
}
