package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// apiKey is an admin key of acme, made once through the CLI by the first
// test that needs it (locked, so a test may run in parallel).
var apiKey struct {
	sync.Mutex
	key string
}

func key(t *testing.T) string {
	t.Helper()
	apiKey.Lock()
	defer apiKey.Unlock()
	if apiKey.key == "" {
		out, err := cli("", "apikey", "create", "--org", orgSlug, "--name", "e2e")
		must(t, err)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		apiKey.key = lines[len(lines)-1]
	}
	return apiKey.key
}

// callAPI calls the JSON API as acme and decodes the answer into out (if
// any); opsAPI is the same call with another organization's key.
func callAPI(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	return opsAPI(t, key(t), method, path, body, out)
}

// subscriber creates a plan and a subscriber with PPPoE credentials.
func subscriber(t *testing.T, username, group string) {
	t.Helper()
	var plan struct{ ID string }
	if st := callAPI(t, http.MethodPost, "/cpe/plans", fmt.Sprintf(`{"name":%q,"genieacsGroup":%q}`, "Plan "+group, group), &plan); st != http.StatusCreated {
		t.Fatalf("create plan: %d", st)
	}
	body := fmt.Sprintf(`{"username":%q,"name":%q,"planId":%q,"pppoeUsername":%q,"pppoePassword":"pw-%s-123"}`, username, "Sub "+username, plan.ID, username+"@isp", username)
	if st := callAPI(t, http.MethodPost, "/cpe/subscribers", body, nil); st != http.StatusCreated {
		t.Fatalf("create subscriber: %d", st)
	}
}

// simDevice adds a device to the simulator and bootstraps it (it calls
// identify, as the ext script does).
func simDevice(t *testing.T, profile, serial string) string {
	t.Helper()
	id, err := suite.sim.AddDevice(profile, serial)
	must(t, err)
	must(t, suite.sim.Inform(context.Background(), id, "0 BOOTSTRAP,1 BOOT"))
	return id
}

// simState reads what the simulated device holds: its PPPoE username (the
// CPE's own value, on whichever PPP instance it has) and its tags (kept in
// GenieACS).
func simState(t *testing.T, id string) (string, []string) {
	t.Helper()
	u, _ := url.Parse("http://" + suite.sim.nbiAddr)
	c, err := genieacs.New(genieacs.Config{NBIURL: u})
	must(t, err)
	d, err := c.GetDevice(context.Background(), id, []string{"_tags"})
	must(t, err)
	return cpePPPoEUser(t, id), d.Tags
}

// cpePPPoEUser is the PPPoE username the simulated CPE holds.
func cpePPPoEUser(t *testing.T, id string) string {
	t.Helper()
	paths := []string{"Device.PPP.Interface.1.Username"}
	for n := 1; n <= 8; n++ {
		paths = append(paths, fmt.Sprintf("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.%d.WANPPPConnection.1.Username", n))
	}
	for _, p := range paths {
		if v, ok := suite.sim.Value(id, p); ok {
			return fmt.Sprint(v)
		}
	}
	t.Fatalf("%s has no PPP connection", id)
	return ""
}

func waitSim(t *testing.T, id, wantUser string, wantTags, notTags []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		user, tags := simState(t, id)
		ok := user == wantUser
		for _, w := range wantTags {
			ok = ok && contains(tags, w)
		}
		for _, n := range notTags {
			ok = ok && !contains(tags, n)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulated %s: PPPoE %q tags %v; want %q with %v without %v", id, user, tags, wantUser, wantTags, notTags)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// An admin imports three serials (one with a subscriber) before the devices
// ever contact GenieACS; when they bootstrap, identify recognises them and
// the assigned one comes up with its PPPoE login and all three tags.
func TestE2EImportThenBootstrap(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	subscriber(t, "imp-alice", "fibre-20")
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/import")
	must(t, err)
	csvFile := "serial,model,subscriber\nHWTCE2E10001,HG8245H,imp-alice\nZTEGE2E10002,F660,\n1122334455660,Archer AX10,\n"
	must(t, byTestID(p, "import-file").SetInputFiles([]playwright.InputFile{{Name: "batch.csv", MimeType: "text/csv", Buffer: []byte(csvFile)}}))
	must(t, byTestID(p, "import-preview").Click())
	must(t, expect.Locator(byTestID(p, "import-summary")).ToContainText("3 valid, 0 with errors"))
	must(t, byTestID(p, "import-commit").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Imported 3 devices"))

	alice := simDevice(t, acssim.ProfileHuaweiHG8245H, "48575443E2E10001") // reports the hex form of the label
	zte := simDevice(t, acssim.ProfileZTEF660, "ZTEGE2E10002")
	simDevice(t, acssim.ProfileTPLinkAX10, "1122334455660")
	waitSim(t, alice, "imp-alice@isp", []string{"org:acme", "sub:imp-alice", "plan:fibre-20"}, nil)
	waitSim(t, zte, "", []string{"org:acme"}, []string{"sub:imp-alice"})

	_, err = p.Goto("/devices?serial=HWTCE2E10001")
	must(t, err)
	must(t, p.GetByRole("link", playwright.PageGetByRoleOptions{Name: "HWTCE2E10001"}).Click())
	must(t, expect.Locator(byTestID(p, "device-subscriber")).ToContainText("imp-alice"))
	must(t, expect.Locator(byTestID(p, "data-model")).ToHaveText("TR-098"))
	must(t, expect.Locator(byTestID(p, "reported-serial")).ToHaveText("48575443E2E10001"))
}

// An unknown device appears under Pending, is claimed, assigned from its
// page (the simulator shows the PPPoE login and tags), then reassigned (the
// sub:/plan: tags swap).
func TestE2EClaimAssignReassign(t *testing.T) {
	t.Parallel()
	subscriber(t, "bob", "home-10")
	subscriber(t, "carol", "biz-50")
	dev := simDevice(t, acssim.ProfileZTEF660, "ZTEGE2E20001")

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	must(t, byTestID(p, "nav-pending").Click())
	row := byTestID(p, "pending-row-ZTEGE2E20001")
	must(t, expect.Locator(row).ToBeVisible())
	must(t, row.GetByTestId("claim").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices/[0-9a-f-]{36}$`)))
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Claimed ZTEGE2E20001"))
	waitSim(t, dev, "", []string{"org:acme"}, nil)

	must(t, byTestID(p, "assign-subscriber").Fill("bob"))
	must(t, byTestID(p, "assign-submit").Click())
	must(t, expect.Locator(byTestID(p, "device-subscriber")).ToContainText("bob"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(30000)}))
	waitSim(t, dev, "bob@isp", []string{"org:acme", "sub:bob", "plan:home-10"}, nil)

	must(t, byTestID(p, "assign-subscriber").Fill("carol"))
	must(t, byTestID(p, "assign-submit").Click())
	must(t, expect.Locator(byTestID(p, "device-subscriber")).ToContainText("carol"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(30000)}))
	waitSim(t, dev, "carol@isp", []string{"org:acme", "sub:carol", "plan:biz-50"}, []string{"sub:bob", "plan:home-10"})
}

// With GenieACS (the simulator) stopped, an assignment is saved and shows
// "pending push"; it lands by itself once GenieACS is back. Not parallel:
// it stops GenieACS for everyone, so it runs before the parallel tests
// start (go test runs a suite's serial tests first).
func TestE2EPushWaitsForGenieACS(t *testing.T) {
	subscriber(t, "dora", "home-30")
	dev := simDevice(t, acssim.ProfileHuaweiHG8245H, "48575443E2E30001")
	var pending struct {
		Items []struct{ ID, Serial string }
	}
	callAPI(t, http.MethodGet, "/cpe/pending", "", &pending)
	id := ""
	for _, d := range pending.Items {
		if d.Serial == "HWTCE2E30001" {
			id = d.ID
		}
	}
	if id == "" {
		t.Fatal("the device is not pending")
	}
	if st := callAPI(t, http.MethodPost, "/cpe/pending/"+id+"/claim", "", nil); st != http.StatusOK {
		t.Fatalf("claim: %d", st)
	}
	waitSim(t, dev, "", []string{"org:acme"}, nil)

	suite.sim.stop()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = suite.sim.start()
		}
	})
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + id)
	must(t, err)
	must(t, byTestID(p, "assign-subscriber").Fill("dora"))
	must(t, byTestID(p, "assign-submit").Click())
	must(t, expect.Locator(byTestID(p, "device-subscriber")).ToContainText("dora"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pending push"))
	// The push job tries and fails while GenieACS is down (then the
	// breaker snoozes it); the device stays pending meanwhile.
	conn, err := pgx.Connect(context.Background(), suite.dbURL)
	must(t, err)
	defer conn.Close(context.Background())
	deadline := time.Now().Add(60 * time.Second)
	for {
		var failed int
		must(t, conn.QueryRow(context.Background(), `SELECT COALESCE(max(cardinality(errors)), 0) FROM river_job
			WHERE kind = 'cpe_push' AND args->>'device_id' = $1`, id).Scan(&failed))
		if failed >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the push job did not fail in 60 s while GenieACS was down")
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pending push"))
	// Every page says GenieACS is away, since when, and what happens to
	// actions meanwhile; the open page learns it by itself.
	banner := byTestID(p, "outage-banner")
	must(t, expect.Locator(banner).ToContainText(regexp.MustCompile(`^GenieACS is unreachable since \d\d:\d\d EAT \(.+\); actions are queued and will be sent when it is back\.$`),
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30000)}))
	shot(t, p, "outage")
	must(t, byTestID(p, "nav-devices").Click())
	must(t, expect.Locator(banner).ToBeVisible())

	must(t, suite.sim.start())
	restarted = true
	// The banner goes once the breaker closes again: it may have opened
	// (for 30 s) just before the restart, and the page asks every 10 s.
	must(t, expect.Locator(banner).ToHaveCount(0, playwright.LocatorAssertionsToHaveCountOptions{Timeout: playwright.Float(60000)}))
	_, err = p.Goto("/devices/" + id)
	must(t, err)
	// The page polls; the push retries on its own.
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(60000)}))
	waitSim(t, dev, "dora@isp", []string{"sub:dora", "plan:home-30"}, nil)
}

// One PPPoE identity per line: assigning a subscriber who is on another
// device offers to move them; after the move exactly one simulated CPE
// holds the login (the other's is cleared), and the tags follow.
func TestE2EMoveSubscriberBetweenDevices(t *testing.T) {
	t.Parallel()
	subscriber(t, "erin", "move-20")
	first, firstGID := ownedDevice(t, acssim.ProfileZTEF660, "ZTEGE2E61001", "ZTEGE2E61001")
	second, secondGID := ownedDevice(t, acssim.ProfileZTEF660, "ZTEGE2E61002", "ZTEGE2E61002")
	pushed := playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(30000)}

	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	_, err := p.Goto("/devices/" + first)
	must(t, err)
	// The field suggests subscribers as one types (by name here).
	must(t, byTestID(p, "assign-subscriber").PressSequentially("Sub er"))
	must(t, expect.Locator(p.Locator(`#subscriber-options option[value="erin"]`)).ToHaveCount(1))
	must(t, byTestID(p, "assign-subscriber").Fill("erin"))
	must(t, byTestID(p, "assign-submit").Click())
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", pushed))
	waitSim(t, firstGID, "erin@isp", []string{"sub:erin"}, nil)

	_, err = p.Goto("/devices/" + second)
	must(t, err)
	must(t, byTestID(p, "assign-subscriber").Fill("Erin"))
	must(t, byTestID(p, "assign-submit").Click())
	must(t, expect.Locator(byTestID(p, "form-errors")).ToContainText("erin is already on ZTEGE2E61001"))
	must(t, expect.Locator(byTestID(p, "assign-subscriber")).ToBeFocused())
	must(t, expect.Page(p).ToHaveURL(suite.baseURL+"/devices/"+second))
	shot(t, p, "assign-move")
	must(t, byTestID(p, "assign-move-submit").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToContainText("Moved erin here"))
	must(t, expect.Locator(byTestID(p, "device-subscriber")).ToContainText("erin"))
	must(t, expect.Locator(byTestID(p, "push-state")).ToHaveText("pushed", pushed))

	waitSim(t, secondGID, "erin@isp", []string{"sub:erin", "plan:move-20"}, nil)
	waitSim(t, firstGID, "", []string{"org:acme"}, []string{"sub:erin", "plan:move-20"})
	holders := 0
	for _, gid := range []string{firstGID, secondGID} {
		if user, _ := simState(t, gid); user == "erin@isp" {
			holders++
		}
	}
	if holders != 1 {
		t.Fatalf("%d simulated CPEs hold erin's PPPoE login", holders)
	}
}
