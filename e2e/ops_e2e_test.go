package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// The ops pages (dashboard, fault board) are tested on a second
// organization, "ops", that only this file uses: its figures are exactly
// what these tests made, whatever the rest of the suite does to acme.
const (
	opsSlug      = "ops"
	opsAdmin     = "admin@ops.example"
	opsViewer    = "viewer@ops.example"
	opsZTE       = "ZTEGE2E70001"     // faults a task: cwmp.9007
	opsHuawei    = "48575443E2E70002" // as reported; the label is HWTCE2E70002
	opsHuaweiLbl = "HWTCE2E70002"
	opsDown      = "ZTEGE2E70003" // informed once at the suite's start, offline since
	swVersion098 = "InternetGatewayDevice.DeviceInfo.SoftwareVersion"
	interval098  = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
)

// ops is the organization's fixture, made once by opsFleet (under mu, so
// a test sharing it may run in parallel).
var ops struct {
	mu             sync.Mutex
	key            string
	zte, huawei    string         // our device ids
	down           string         // opsDown's
	zteGID         string         // GenieACS's
	firmware       map[string]int // version → devices, as the simulator holds them
	faultRequested time.Time
}

// opsFleet makes the ops organization (an admin, a viewer, an API key) with
// two owned devices, online with their firmware known, and makes the ZTE
// fault a task at once, so the fault poll (every FAULT_POLL_INTERVAL, 3 s
// in e2e) has it by the time the fault board test runs.
func opsFleet(t *testing.T) {
	t.Helper()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	ops.mu.Lock()
	defer ops.mu.Unlock()
	if ops.key != "" {
		return
	}
	key := cliOrg(t, opsSlug, "Ops Fibre", [][2]string{{opsAdmin, "admin"}, {opsViewer, "viewer"}})

	zte, zteGID := opsClaim(t, key, acssim.ProfileZTEF660, opsZTE, opsZTE)
	hw, hwGID := opsClaim(t, key, acssim.ProfileHuaweiHG8245H, opsHuawei, opsHuaweiLbl)
	// The claim's push reads the device back: its last inform and firmware.
	for _, id := range []string{zte, hw} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			var d struct{ Status, SoftwareVersion, PushState string }
			opsAPI(t, key, http.MethodGet, "/cpe/devices/"+id, "", &d)
			if d.Status == "online" && d.SoftwareVersion != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("device %s never came online with its firmware: %+v", id, d)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	down := opsClaimPending(t, key, opsDown)
	fw := map[string]int{}
	fw[simValue(t, zteGID, swVersion098)]++
	fw[simValue(t, hwGID, swVersion098)]++
	fw[simValue(t, suite.opsDownGID, swVersion098)]++

	// A periodic inform interval of 0: the CPE answers 9007 and GenieACS
	// keeps the faulted task.
	var task struct{ Status, FaultCode string }
	st := opsAPI(t, key, http.MethodPost, "/cpe/devices/"+zte+"/parameters", `{"parameters":[["`+interval098+`","0"]]}`, &task)
	if st >= 300 || task.Status != "failed" || task.FaultCode != "cwmp.9007" {
		t.Fatalf("set %s: %d %+v; want a failed task with cwmp.9007", interval098, st, task)
	}
	ops.key, ops.zte, ops.huawei, ops.down, ops.zteGID, ops.firmware = key, zte, hw, down, zteGID, fw
	ops.faultRequested = time.Now()
}

// cliOrg makes an organization through the operator CLI, as production
// does, with staff (e-mail, role; password staffPassword) and an API key
// (admin), which it returns.
func cliOrg(t *testing.T, slug, name string, staff [][2]string) string {
	t.Helper()
	_, err := cli("", "org", "create", "--slug", slug, "--name", name)
	must(t, err)
	for _, u := range staff {
		_, err := cli(staffPassword+"\n", "user", "create", "--org", slug, "--email", u[0], "--role", u[1])
		must(t, err)
	}
	out, err := cli("", "apikey", "create", "--org", slug, "--name", "e2e-"+slug)
	must(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// opsAPI calls the JSON API with key (ops's, or acme's through callAPI)
// and decodes the answer into out (if any).
func opsAPI(t *testing.T, key, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, suite.baseURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		_ = json.Unmarshal(raw, out)
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// opsClaim is ownedDevice for ops.
func opsClaim(t *testing.T, key, profile, serial, label string) (string, string) {
	t.Helper()
	gid := simDevice(t, profile, serial)
	return opsClaimPending(t, key, label), gid
}

// opsClaimPending claims the pending device labelled label for ops, once
// its identify has made it pending; it returns our id.
func opsClaimPending(t *testing.T, key, label string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var pending struct {
			Items []struct{ ID, Serial string }
		}
		opsAPI(t, key, http.MethodGet, "/cpe/pending?limit=500", "", &pending)
		for _, d := range pending.Items {
			if d.Serial == label {
				if st := opsAPI(t, key, http.MethodPost, "/cpe/pending/"+d.ID+"/claim", "", nil); st != http.StatusOK {
					t.Fatalf("claim %s: %d", label, st)
				}
				return d.ID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed up as pending", label)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// reloadUntil loads path until ready holds (the page does not poll).
func reloadUntil(t *testing.T, p playwright.Page, path string, d time.Duration, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		_, err := p.Goto(path)
		must(t, err)
		if ready() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, d)
		}
		time.Sleep(time.Second)
	}
}

func count(t *testing.T, l playwright.Locator) int {
	t.Helper()
	n, err := l.Count()
	must(t, err)
	return n
}

// The dashboard counts ops's three devices as the simulator has them (two
// informing, one down since the suite started and offline once
// OFFLINE_AFTER has passed), draws a firmware bar per version; its
// "offline" count opens the list of the device that went down, its
// "online" count the list of the other two.
func TestE2EDashboardFleet(t *testing.T) {
	t.Parallel()
	opsFleet(t)
	p := newPage(t)
	login(t, p, opsAdmin, staffPassword)
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/$`)))
	text := func(id string) string {
		s, err := byTestID(p, id).TextContent()
		must(t, err)
		return strings.TrimSpace(s)
	}
	// The down device's last inform passes OFFLINE_AFTER a minute after
	// the suite started (the figures are kept up to 15 s).
	reloadUntil(t, p, "/", 3*time.Minute, "ops's down device offline on the dashboard", func() bool {
		return text("stat-offline") == "1"
	})
	for id, want := range map[string]string{"stat-total": "3", "stat-online": "2", "stat-offline": "1",
		"stat-stale": "0", "stat-never-seen": "0", "stat-not-online": "1"} {
		must(t, expect.Locator(byTestID(p, id)).ToHaveText(want))
	}

	bars := byTestID(p, "firmware-chart").GetByTestId("firmware-bar")
	must(t, expect.Locator(bars).ToHaveCount(len(ops.firmware)))
	for v, n := range ops.firmware {
		bar := byTestID(p, "firmware-chart").Locator(fmt.Sprintf(`g[data-firmware=%q]`, v))
		must(t, expect.Locator(bar).ToHaveAttribute("data-count", fmt.Sprint(n)))
		w, err := bar.Locator("rect").GetAttribute("width")
		must(t, err)
		if w == "" || w == "0" {
			t.Fatalf("firmware %s: bar width %q", v, w)
		}
	}
	for model, want := range map[string][2]string{"F660": {"2", "1"}, "HG8245H": {"1", "1"}} {
		row := byTestID(p, "models").Locator(fmt.Sprintf(`[data-model=%q]`, model))
		must(t, expect.Locator(row.GetByTestId("model-count")).ToHaveText(want[0]))
		must(t, expect.Locator(row.GetByTestId("model-online")).ToHaveText(want[1]))
	}

	must(t, byTestID(p, "stat-offline-link").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices\?status=offline$`)))
	rows := byTestID(p, "devices-table").Locator("tbody tr")
	must(t, expect.Locator(rows).ToHaveCount(1))
	must(t, expect.Locator(byTestID(p, "device-row-"+opsDown).GetByTestId("status")).ToHaveText("offline"))

	_, err := p.GoBack()
	must(t, err)
	must(t, byTestID(p, "stat-online-link").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices\?status=online$`)))
	must(t, expect.Locator(rows).ToHaveCount(2))
	for _, serial := range []string{opsZTE, opsHuaweiLbl} {
		must(t, expect.Locator(byTestID(p, "device-row-"+serial).GetByTestId("status")).ToHaveText("online"))
	}
}

// An admin asks for a full device sync twice; each pass shows as done
// (after a reload: the page does not poll). A viewer may not see the page.
func TestE2ESyncFullPass(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	login(t, p, adminEmail, staffPassword)
	full := byTestID(p, "sync-run-full")
	_, err := p.Goto("/admin/sync")
	must(t, err)
	before := count(t, full)
	for i := 1; i <= 2; i++ {
		must(t, byTestID(p, "sync-full").Click())
		must(t, expect.Locator(byTestID(p, "flash")).ToContainText("A full pass is queued"))
		reloadUntil(t, p, "/admin/sync", 30*time.Second, fmt.Sprintf("full pass %d done", i), func() bool {
			return count(t, full) >= before+i && count(t, full.First().GetByText("done", playwright.LocatorGetByTextOptions{Exact: playwright.Bool(true)})) == 1
		})
	}

	v := newPage(t)
	login(t, v, viewerEmail, staffPassword)
	must(t, expect.Locator(byTestID(v, "whoami")).ToHaveText(viewerEmail))
	resp, err := v.Goto("/admin/sync")
	must(t, err)
	if resp.Status() != http.StatusForbidden {
		t.Fatalf("viewer on /admin/sync: %d, want 403", resp.Status())
	}
	must(t, expect.Locator(byTestID(v, "sync-full")).ToHaveCount(0))
}

// A real CPE fault (cwmp.9007 on ops's ZTE) reaches the board by the
// minute's poll: grouped by code and model, listed with a link to the
// device. A viewer sees it without a Clear button; an admin clears it and
// it leaves the active list (and GenieACS).
func TestE2EFaultBoard(t *testing.T) {
	t.Parallel()
	opsFleet(t)
	p := newPage(t)
	p.OnDialog(func(d playwright.Dialog) { _ = d.Accept() })
	login(t, p, opsAdmin, staffPassword)
	groups := byTestID(p, "fault-group")
	// The poll runs every 3 s in e2e (FAULT_POLL_INTERVAL).
	wait := time.Until(ops.faultRequested.Add(30 * time.Second))
	reloadUntil(t, p, "/faults", wait, "the fault on the board", func() bool { return count(t, groups) > 0 })
	must(t, expect.Locator(groups).ToHaveCount(1))
	must(t, expect.Locator(groups.GetByTestId("fault-group-link")).ToHaveText("cwmp.9007"))
	must(t, expect.Locator(groups.Locator("td").Nth(1)).ToHaveText("F660"))
	must(t, expect.Locator(groups.GetByTestId("fault-group-count")).ToHaveText("1"))

	must(t, groups.GetByTestId("fault-group-link").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/faults\?code=cwmp\.9007&model=F660$`)))
	rows := byTestID(p, "faults-table").Locator("tbody tr")
	must(t, expect.Locator(rows).ToHaveCount(1))
	must(t, expect.Locator(rows.GetByTestId("fault-code")).ToHaveText("cwmp.9007"))
	must(t, expect.Locator(rows.GetByTestId("fault-message")).ToContainText("Invalid parameter value"))
	must(t, expect.Locator(rows.GetByTestId("fault-status")).ToHaveText("active"))
	must(t, expect.Locator(rows.GetByTestId("fault-clear")).ToHaveCount(1))
	must(t, rows.GetByTestId("fault-device").Click())
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices/`+ops.zte+`$`)))
	must(t, expect.Locator(byTestID(p, "device-serial")).ToHaveText(opsZTE))

	v := newPage(t)
	login(t, v, opsViewer, staffPassword)
	must(t, expect.Locator(byTestID(v, "whoami")).ToHaveText(opsViewer))
	_, err := v.Goto("/faults")
	must(t, err)
	must(t, expect.Locator(byTestID(v, "faults-table").GetByTestId("fault-code")).ToHaveText("cwmp.9007"))
	must(t, expect.Locator(byTestID(v, "fault-clear")).ToHaveCount(0))

	must(t, byTestID(p, "nav-faults").Click())
	must(t, byTestID(p, "fault-clear").Click())
	must(t, expect.Locator(byTestID(p, "flash")).ToHaveText("Cleared cwmp.9007 on "+opsZTE+"."))
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/faults$`)))
	must(t, expect.Locator(byTestID(p, "no-faults")).ToBeVisible())
	must(t, expect.Locator(byTestID(p, "no-fault-groups")).ToBeVisible())
	_, err = p.Goto("/faults?status=cleared")
	must(t, err)
	must(t, expect.Locator(byTestID(p, "faults-table").GetByTestId("fault-status")).ToHaveText("cleared"))
	must(t, expect.Locator(byTestID(p, "faults-table")).ToContainText("by "+opsAdmin))

	u, _ := url.Parse("http://" + suite.sim.nbiAddr)
	c, err := genieacs.New(genieacs.Config{NBIURL: u})
	must(t, err)
	left, err := c.Faults(context.Background(), map[string]any{"device": ops.zteGID})
	must(t, err)
	if len(left) != 0 {
		t.Fatalf("GenieACS still has %d faults of the device: %+v", len(left), left)
	}
}

// The device page's Health panel loads by itself (htmx) and draws the
// stored samples: traffic as down/up Mbps lines, CPU, free memory and Wi-Fi
// clients; the period switch redraws it over 7 days without a reload. The
// samples are written straight into cpe_metrics, 15 minutes apart as the
// sync stores them (a browser test cannot wait for the sync's real ones).
func TestE2EDeviceHealthCharts(t *testing.T) {
	t.Parallel()
	opsFleet(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, suite.dbURL)
	must(t, err)
	defer conn.Close(ctx)
	// Every 15 minutes over the last hour: 1,125,000,000 bytes down and
	// 225,000,000 up per 900 s are 10 and 2 Mbps.
	_, err = conn.Exec(ctx, `INSERT INTO cpe_metrics (device_id, at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients)
		SELECT $1, date_trunc('minute', now()) - make_interval(mins => 15 * i), 86400 - 900 * i, 20 + 5 * i, 51200 + 1024 * i,
			225000000::bigint * (10 - i), 1125000000::bigint * (10 - i), 3 + i
		FROM generate_series(1, 4) i
		ON CONFLICT DO NOTHING`, ops.huawei)
	must(t, err)

	p := newPage(t)
	login(t, p, opsViewer, staffPassword)
	_, err = p.Goto("/devices/" + ops.huawei)
	must(t, err)
	panel := byTestID(p, "health")
	must(t, expect.Locator(panel).ToHaveAttribute("data-range", "24h"))
	for _, series := range []string{"down", "up"} {
		line := byTestID(p, "health-traffic").Locator(fmt.Sprintf(`path[data-series=%q]`, series))
		must(t, expect.Locator(line).ToHaveCount(1))
		n, err := line.GetAttribute("data-points")
		must(t, err)
		if pts, _ := strconv.Atoi(n); pts < 3 {
			t.Fatalf("%s line: %s points, want at least 3 rates from 4 samples", series, n)
		}
	}
	for _, chart := range []string{"health-cpu-chart", "health-memory-chart", "health-wifi-chart"} {
		must(t, expect.Locator(byTestID(p, chart).GetByTestId("health-line")).ToHaveCount(1))
	}
	must(t, expect.Locator(byTestID(p, "health-cpu-chart").GetByTestId("axis-max")).ToContainText("%"))

	must(t, byTestID(p, "health-range-7d").Click())
	must(t, expect.Locator(panel).ToHaveAttribute("data-range", "7d"))
	must(t, expect.Locator(byTestID(p, "health-range-7d")).ToHaveAttribute("aria-current", "true"))
	must(t, expect.Locator(byTestID(p, "health-cpu-chart").GetByTestId("health-line")).ToHaveCount(1))
	must(t, expect.Page(p).ToHaveURL(regexp.MustCompile(`/devices/`+ops.huawei+`$`))) // the switch redraws in place
}
