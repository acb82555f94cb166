package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
)

// The plain IP gateway (no PPP, no diagnostics): once its first periodic
// inform has let GenieACS discover its objects and the sync has judged
// them, its page disables the PPPoE assignment, ping and both tests, each
// saying why, the API refuses them with 422 naming the capability, and the
// Models page lists it with what it can do.
func TestE2ECapabilitiesOfAPlainGateway(t *testing.T) {
	t.Parallel()
	id, _ := ownedDevice(t, acssim.ProfileTendaN301, "N301E2E00071", "N301E2E00071")
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	// Informs every 5 s, a sync every 10 s: judged within the minute.
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := p.Goto("/devices/" + id)
		must(t, err)
		n, err := byTestID(p, "capabilities-list").Count()
		must(t, err)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the gateway's capabilities were not judged within 90 s")
		}
		time.Sleep(time.Second)
	}
	must(t, expect.Locator(byTestID(p, "cap-wifi_2g")).ToHaveAttribute("data-state", "yes"))
	must(t, expect.Locator(byTestID(p, "cap-pppoe")).ToHaveAttribute("data-state", "no"))
	for _, c := range []struct{ button, cannot, why string }{
		{"assign-submit", "cannot-pppoe", "this device has no PPP connection; PPPoE cannot be pushed"},
		{"ping-submit", "cannot-ping", "this device has no ping diagnostics (IPPing); a ping cannot run"},
		{"speed-submit", "cannot-download_test", "this device has no download diagnostics; a download test cannot run"},
		{"uptest-submit", "cannot-upload_test", "this device has no upload diagnostics; an upload test cannot run"},
	} {
		must(t, expect.Locator(byTestID(p, c.button)).ToBeDisabled())
		must(t, expect.Locator(byTestID(p, c.cannot)).ToHaveText(c.why))
	}
	must(t, expect.Locator(byTestID(p, "wifi-submit")).ToBeEnabled())
	must(t, byTestID(p, "ping-open").Click())
	must(t, expect.Locator(byTestID(p, "cannot-ping")).ToBeVisible())
	shot(t, p, "capabilities-gateway")

	var e struct {
		Error struct {
			Code   string
			Fields map[string]string
		}
	}
	if st := callAPI(t, http.MethodPost, "/cpe/devices/"+id+"/ping", `{"host":"8.8.8.8"}`, &e); st != http.StatusUnprocessableEntity ||
		e.Error.Code != "missing_capability" || e.Error.Fields["capability"] != "ping" {
		t.Fatalf("ping on the gateway: %d %+v", st, e)
	}

	_, err := p.Goto("/models")
	must(t, err)
	row := p.Locator(`[data-testid="model-row"][data-model="N301"]`)
	must(t, expect.Locator(row.Locator(`[data-testid="model-cap-pppoe"]`)).ToHaveText("no"))
	must(t, expect.Locator(row.Locator(`[data-testid="model-cap-wifi_2g"]`)).ToHaveText("yes"))
	shot(t, p, "models")
}
