package e2e

// The flows that failed on a real GenieACS 1.2.16, end to end: the
// simulator runs FyberPay's provisions in its GenieACS runtime (the ext
// script in Node calls the server's identify), and its documents hold only
// what GenieACS fetched.

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
)

const (
	hgWLAN     = "InternetGatewayDevice.LANDevice.1.WLANConfiguration."
	hgInterval = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
)

// waitValue waits until the simulated CPE holds want at path.
func waitValue(t *testing.T, gid, path, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if v, ok := suite.sim.Value(gid, path); ok && simText(v) == want {
			return
		}
		if time.Now().After(deadline) {
			v, _ := suite.sim.Value(gid, path)
			t.Fatalf("%s: %s is %v, want %q", gid, path, v, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func simText(v any) string { return fmt.Sprint(v) }

// A device added to the inventory with a subscriber, and given Wi-Fi,
// before it ever contacts GenieACS: at its first BOOTSTRAP the bootstrap
// provision (run by the simulator's GenieACS runtime) configures it:
// PPPoE, Wi-Fi at the Huawei's own key path, tags, the inform interval.
// Its push state and the Wi-Fi task then read back as done.
func TestE2EImportedDeviceBootsConfigured(t *testing.T) {
	t.Parallel()
	subscriber(t, "boot-amina", "fibre-50")
	var dev struct{ ID string }
	if st := callAPI(t, http.MethodPost, "/cpe/devices", `{"serial":"HWTCE2EB0001","model":"HG8245H","subscriber":"boot-amina"}`, &dev); st != http.StatusCreated {
		t.Fatalf("add device: %d", st)
	}
	var task struct{ ID, Status, Message string }
	if st := callAPI(t, http.MethodPost, "/cpe/devices/"+dev.ID+"/wifi", `{"ssid":"Amina-Home","password":"amina-wifi-2026"}`, &task); st != http.StatusAccepted {
		t.Fatalf("wifi before first contact: %d %+v", st, task)
	}

	gid := simDevice(t, acssim.ProfileHuaweiHG8245H, "48575443E2EB0001")
	user, tags := simState(t, gid)
	if user != "boot-amina@isp" {
		t.Fatalf("PPPoE username %q after the BOOTSTRAP", user)
	}
	for _, want := range []string{"org:acme", "sub:boot-amina", "plan:fibre-50"} {
		if !contains(tags, want) {
			t.Fatalf("tags %v lack %s", tags, want)
		}
	}
	for path, want := range map[string]string{
		hgWLAN + "1.SSID": "Amina-Home", hgWLAN + "1.PreSharedKey.1.PreSharedKey": "amina-wifi-2026",
		hgWLAN + "5.SSID": "Amina-Home", hgWLAN + "5.PreSharedKey.1.PreSharedKey": "amina-wifi-2026",
	} {
		if got := simValue(t, gid, path); got != want {
			t.Fatalf("%s is %q, want %q", path, got, want)
		}
	}
	if got := simValue(t, gid, hgInterval); got != "300" {
		t.Fatalf("inform interval %s, want 300 (the simulator starts devices at 600)", got)
	}
	if got := simValue(t, gid, hgWLAN+"1.KeyPassphrase"); got != "" {
		t.Fatalf("a key went to KeyPassphrase: %q", got)
	}

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + dev.ID)
	must(t, err)
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", long))
	must(t, expect.Locator(byTestID(p, "task-row-wifi").First().GetByTestId("task-status")).ToHaveText("done", long))
}

// A factory reset of an assigned device: it loses its configuration and
// comes back at its BOOTSTRAP configured again; its push state says
// "pending push" until FyberPay has read the configuration back, then
// "pushed".
func TestE2EFactoryResetComesBackConfigured(t *testing.T) {
	t.Parallel()
	subscriber(t, "reset-baraka", "home-20")
	id, gid := ownedDevice(t, acssim.ProfileTPLinkAX10, "2233445566R01", "2233445566R01")
	if st := callAPI(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", `{"subscriber":"reset-baraka"}`, nil); st >= 300 {
		t.Fatalf("assign: %d", st)
	}
	var task struct{ Status string }
	if st := callAPI(t, http.MethodPost, "/cpe/devices/"+id+"/wifi", `{"ssid":"Baraka","password":"baraka-wifi-key","band":"2.4GHz"}`, &task); st >= 300 {
		t.Fatalf("wifi: %d", st)
	}
	waitValue(t, gid, "Device.PPP.Interface.1.Username", "reset-baraka@isp")
	waitValue(t, gid, "Device.WiFi.SSID.1.SSID", "Baraka")

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", long))
	must(t, byTestID(p, "factory-open").Click())
	must(t, byTestID(p, "factory-confirm").Fill("2233445566R01"))
	must(t, byTestID(p, "factory-submit").Click())
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pending push"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", long))

	// The CPE holds its configuration again, written by the bootstrap
	// provision after the reset (a reset CPE starts empty).
	waitValue(t, gid, "Device.PPP.Interface.1.Username", "reset-baraka@isp")
	if got := simValue(t, gid, "Device.WiFi.SSID.1.SSID"); got != "Baraka" {
		t.Fatalf("SSID %q after the reset", got)
	}
	if got := simValue(t, gid, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"); got != "baraka-wifi-key" {
		t.Fatalf("key %q after the reset", got)
	}
	if got := simValue(t, gid, "Device.ManagementServer.PeriodicInformInterval"); got != "300" {
		t.Fatalf("inform interval %s after the reset, want 300 (a reset CPE is back at the simulator's 600)", got)
	}
	_, tags := simState(t, gid)
	if !contains(tags, "sub:reset-baraka") || !contains(tags, "plan:home-20") {
		t.Fatalf("tags %v after the reset", tags)
	}
	// A periodic inform later, nothing is pending.
	must(t, suite.sim.Inform(context.Background(), gid, "2 PERIODIC"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed"))
}
