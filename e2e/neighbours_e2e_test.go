package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
)

// A neighbouring Wi-Fi scan from the TR-181 router's page: the networks
// it heard, strongest first, and per band the channel with the least
// interference; one click moves the radio there (confirmed first) and the
// task reads it back from the CPE.
func TestE2EWiFiScanAndChannel(t *testing.T) {
	t.Parallel()
	id, gid := ownedDevice(t, acssim.ProfileTPLinkAX10, "2233445566077", "2233445566077")
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	scan := func() (rec, cur string) {
		t.Helper()
		must(t, byTestID(p, "scan-open").Click())
		must(t, byTestID(p, "scan-submit").Click())
		must(t, expect.Locator(byTestID(p, "task-row-wifi_scan").First().GetByTestId("task-status")).ToHaveText("done", long))
		must(t, expect.Locator(byTestID(p, "neighbour").First()).ToBeVisible())
		adv := byTestID(p, "channel-advice-2.4GHz")
		rec, err := adv.GetAttribute("data-recommended")
		must(t, err)
		cur, err = adv.GetAttribute("data-current")
		must(t, err)
		if rec != "1" && rec != "6" && rec != "11" {
			t.Fatalf("advised 2.4 GHz channel %q", rec)
		}
		return rec, cur
	}
	rec, cur := scan()
	for try := 1; rec == cur; try++ {
		// Already on the quietest channel: put the radio elsewhere (on
		// the CPE) and scan again; the diagnostics provision reads the
		// channel back with the results. Neighbours' signals move a few
		// dB from scan to scan, so the new scan may find the radio's new
		// channel the quietest after all: move it again.
		if try > 3 {
			t.Fatalf("advised channel %s, the radio's own, after %d moves", rec, try-1)
		}
		moved := map[string]float64{"1": 6, "6": 11, "11": 1}[rec]
		must(t, suite.sim.SetValue(gid, "Device.WiFi.Radio.1.Channel", moved))
		_, err := p.Goto("/devices/" + id)
		must(t, err)
		scan()
		// The panel redraws once the scan's results (and the channel read
		// with them) are in.
		adv := byTestID(p, "channel-advice-2.4GHz")
		must(t, expect.Locator(adv).ToHaveAttribute("data-current", fmt.Sprint(moved), playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(30000)}))
		rec, err = adv.GetAttribute("data-recommended")
		must(t, err)
		cur = fmt.Sprint(moved)
	}
	shot(t, p, "wifi-scan")

	must(t, byTestID(p, "channel-apply-2.4GHz").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("channel to "+rec))
	deadline := time.Now().Add(60 * time.Second)
	for simValue(t, gid, "Device.WiFi.Radio.1.Channel") != rec {
		if time.Now().After(deadline) {
			t.Fatalf("the radio is on channel %s, not %s", simValue(t, gid, "Device.WiFi.Radio.1.Channel"), rec)
		}
		time.Sleep(200 * time.Millisecond)
	}
	must(t, expect.Locator(byTestID(p, "task-row-wifi_channel").First().GetByTestId("task-status")).ToHaveText("done", long))
}

// A ZTE ONT's TR-098 site survey from its page: each radio scans and the
// CPE announces nothing, so FyberPay polls it to its results; both bands'
// networks and advice are shown.
func TestE2EZTESiteSurvey(t *testing.T) {
	t.Parallel()
	id, _ := ownedDevice(t, acssim.ProfileZTEF660, "ZTEGE2E90077", "ZTEGE2E90077")
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, byTestID(p, "scan-open").Click())
	must(t, byTestID(p, "scan-submit").Click())
	must(t, expect.Locator(byTestID(p, "task-row-wifi_scan").First().GetByTestId("task-status")).ToHaveText("done", long))
	must(t, expect.Locator(byTestID(p, "neighbour").First()).ToBeVisible())
	must(t, expect.Locator(byTestID(p, "channel-advice-2.4GHz")).ToBeVisible())
	must(t, expect.Locator(byTestID(p, "channel-advice-5GHz")).ToBeVisible())
	shot(t, p, "wifi-scan-zte")
}
