package e2e

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
)

// An admin creates an API key (shown once) that then works on the API, and
// revokes it in place (htmx swap) after which it stops working.
func TestE2EAPIKeyShownOnceThenRevoked(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	login(t, p, ownerEmail, staffPassword)
	must(t, byTestID(p, "nav-apikeys").Click())
	must(t, byTestID(p, "key-name").Fill("billing-e2e"))
	must(t, byTestID(p, "key-create").Click())
	must(t, expect.Locator(byTestID(p, "new-key-value")).ToHaveText(regexp.MustCompile(`^fpk_[a-z2-7]{12}_[a-z2-7]{32}$`)))
	key, err := byTestID(p, "new-key-value").TextContent()
	must(t, err)

	call := func() int {
		req, _ := http.NewRequest(http.MethodGet, suite.baseURL+"/cpe/me", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(); got != http.StatusOK {
		t.Fatalf("new key: status %d", got)
	}

	_, err = p.Goto("/api-keys") // not Reload: that would re-post the form
	must(t, err)
	must(t, expect.Locator(byTestID(p, "new-key-value")).ToHaveCount(0))
	row := byTestID(p, "key-row-billing-e2e")
	must(t, expect.Locator(row).ToBeVisible())
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	must(t, row.GetByTestId("key-revoke").Click())
	must(t, expect.Locator(byTestID(p, "key-row-billing-e2e").GetByTestId("key-status")).ToHaveText("revoked"))
	if got := call(); got != http.StatusUnauthorized {
		t.Fatalf("revoked key: status %d", got)
	}
}

// An admin adds a webhook endpoint, sends a test event, and watches the
// delivery log update itself (htmx polling) once the worker delivered it.
// Tests in parallel claim acme's devices too: only the ping is counted.
func TestE2EWebhookTestEventDelivered(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-FyberPay-Signature") != "" && r.Header.Get("X-FyberPay-Event-Type") == "webhook.ping" {
			hits.Add(1)
		}
	}))
	t.Cleanup(rcv.Close)

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	must(t, byTestID(p, "nav-webhooks").Click())
	must(t, byTestID(p, "endpoint-url").Fill(rcv.URL+"/hook"))
	must(t, byTestID(p, "topic-cpe.claimed").Check())
	must(t, byTestID(p, "endpoint-create").Click())
	must(t, expect.Locator(byTestID(p, "secret-value")).ToHaveText(regexp.MustCompile(`^whsec_`)))

	must(t, byTestID(p, "endpoint-test").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Test event queued"))
	delivered := p.Locator(`[data-testid="delivery-row"][data-topic="webhook.ping"][data-status="succeeded"]`)
	must(t, expect.Locator(delivered).ToHaveCount(1, playwright.LocatorAssertionsToHaveCountOptions{Timeout: playwright.Float(15000)}))
	must(t, expect.Locator(delivered.GetByTestId("delivery-attempts")).ToHaveText("1"))
	if hits.Load() != 1 {
		t.Fatalf("receiver got %d signed requests, want 1", hits.Load())
	}
}

// Changing a role in the Users table posts through htmx (CSRF in a header)
// and swaps just the row.
func TestE2ERoleChangeInPlace(t *testing.T) {
	t.Parallel()
	p := newPage(t) // first: it skips the test when the suite cannot run
	_, err := cli(staffPassword+"\n", "user", "create", "--org", orgSlug, "--email", "role-change@acme.example", "--role", "viewer")
	must(t, err)
	login(t, p, ownerEmail, staffPassword)
	_, err = p.Goto("/users")
	must(t, err)
	row := byTestID(p, "user-row-role-change@acme.example")
	_, err = row.GetByTestId("role-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"admin"}})
	must(t, err)
	must(t, row.GetByTestId("role-save").Click())
	must(t, expect.Locator(byTestID(p, "user-row-role-change@acme.example").Locator("option[selected]")).ToHaveText("admin"))
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/users$`)))

	_, err = p.Reload()
	must(t, err)
	must(t, expect.Locator(byTestID(p, "user-row-role-change@acme.example").Locator("option[selected]")).ToHaveText("admin"))
}

// The System page shows GenieACS's breaker, the bootstrap the server ran at
// start (against the simulator), identify activity, and re-runs the upload.
func TestE2ESystemPage(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	must(t, byTestID(p, "nav-system").Click())
	must(t, expect.Locator(byTestID(p, "breaker")).ToHaveText("closed (healthy)"))
	// The start-up bootstrap job may still be running: reload until it shows.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if n, _ := byTestID(p, "bootstrap-status").Count(); n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no bootstrap result on the System page")
		}
		time.Sleep(500 * time.Millisecond)
		_, err := p.Reload()
		must(t, err)
	}
	must(t, expect.Locator(byTestID(p, "bootstrap-status")).ToHaveText("ok"))
	must(t, expect.Locator(byTestID(p, "pending-count")).Not().ToHaveText("0"))
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	must(t, byTestID(p, "bootstrap-run").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Upload queued"))
}
