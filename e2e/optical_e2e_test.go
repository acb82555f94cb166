package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
)

// A degraded ONT (its received level at -28.6 dBm, past the default weak
// threshold of -27): once the sync has read it, it is under Signal on the
// fault board, counted on the dashboard and listed by the Signal group's
// link, and its page charts the optical levels.
func TestE2EDegradedONTRaisesASignalAlarm(t *testing.T) {
	t.Parallel()
	id, gid := ownedDevice(t, acssim.ProfileHuaweiHG8245H, "48575443E2E70001", "HWTCE2E70001")
	must(t, suite.sim.SetValue(gid, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", "-28.60"))

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	// Informs every 5 s, a sync every 10 s.
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := p.Goto("/devices?status=optical_alarm&serial=E2E70001")
		must(t, err)
		n, err := p.Locator(`a[href="/devices/` + id + `"]`).Count()
		must(t, err)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the degraded ONT was not in optical alarm within 90 s")
		}
		time.Sleep(time.Second)
	}

	_, err := p.Goto("/faults")
	must(t, err)
	group := p.Locator(`[data-testid="signal-group"][data-level="weak"][data-model="HG8245H"]`)
	must(t, expect.Locator(group).ToHaveCount(1))
	must(t, group.GetByTestId("signal-group-link").Click())
	must(t, expect.Locator(p.Locator(`a[href="/devices/`+id+`"]`)).ToHaveCount(1))
	_, err = p.Goto("/faults")
	must(t, err)
	shot(t, p, "faults-signal")

	// The dashboard's figures are cached 15 s.
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, err := p.Goto("/")
		must(t, err)
		text, err := byTestID(p, "stat-optical-alarm").TextContent()
		must(t, err)
		if n, _ := strconv.Atoi(text); n >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard counts %q optical alarms", text)
		}
		time.Sleep(time.Second)
	}

	_, err = p.Goto("/devices/" + id)
	must(t, err)
	// The received and the sent level (one sample so far: a dot each).
	must(t, expect.Locator(byTestID(p, "health-optical-chart").GetByTestId("health-line")).ToHaveCount(2))
	must(t, expect.Locator(byTestID(p, "line-optical")).ToContainText("weak"))
	shot(t, p, "device-optical")

	// The admin records the OLT port the ONT hangs off; the fault board
	// then groups its alarm under that port, linked to the port's ONTs.
	must(t, byTestID(p, "pon-port-input").Fill("OLT-E2E 0/1/7"))
	must(t, byTestID(p, "pon-port-submit").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToHaveText("PON port recorded: OLT-E2E 0/1/7."))
	_, err = p.Goto("/faults")
	must(t, err)
	port := p.Locator(`[data-testid="signal-port"][data-port="OLT-E2E 0/1/7"]`)
	must(t, expect.Locator(port.GetByTestId("signal-port-count")).ToHaveText("1 of 1"))
	shot(t, p, "faults-signal-port")
	must(t, port.GetByTestId("signal-port-link").Click())
	must(t, expect.Locator(p.Locator(`a[href="/devices/`+id+`"]`)).ToHaveCount(1))
}
