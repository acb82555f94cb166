package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/provisions"
)

// integrationServer is a test's own FyberPay beside its own GenieACS
// simulator, whose ext script calls FyberPay with simKey; signed in as the
// operator organization's owner in the returned page.
type integrationServer struct {
	own     *ownServer
	sim     *simServer
	nbiAddr string
	page    playwright.Page
}

func newIntegrationServer(t *testing.T, slug, simKey string) *integrationServer {
	t.Helper()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	nbiPort, err := freePort()
	must(t, err)
	fsPort, err := freePort()
	must(t, err)
	const key = "integration-e2e-key-0123456789abcdef"
	own := newOwnServer(t, "GENIEACS_INTERNAL_KEY="+key, "GENIEACS_NBI_URL=http://127.0.0.1:"+nbiPort,
		"GENIEACS_FS_URL=http://127.0.0.1:"+fsPort, "OPERATOR_ORG="+slug, "SYNC_INTERVAL=5s", "FAULT_POLL_INTERVAL=2s",
		"GENIEACS_PROBE_INTERVAL=1s", "PASSWORD_HASH_MEMORY_KIB=8192", "LOG_LEVEL=warn")
	if simKey == "" {
		simKey = key
	}
	extDir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(extDir, "fyberpay.js"), provisions.ExtScript(), 0o600))
	sim, err := acssim.New(acssim.Options{Devices: 3, Seed: 7, TimeCompression: 60, InformInterval: 600 * time.Second,
		SessionDelay: 5 * time.Millisecond, AwaitPreset: provisions.Bootstrap, ExtTimeout: 10 * time.Second,
		ExtDir: extDir, ExtEnv: []string{"FYBERPAY_URL=" + own.base, "FYBERPAY_INTERNAL_KEY=" + simKey}})
	must(t, err)
	ss := &simServer{Sim: sim, nbiAddr: "127.0.0.1:" + nbiPort, fsAddr: "127.0.0.1:" + fsPort}
	sim.SetFSURL("http://" + ss.fsAddr)
	must(t, ss.start())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		ss.stop()
		sim.Close()
	})

	own.run("migrate")
	own.run("org", "create", "--slug", slug, "--name", "Integration "+slug)
	email := "owner@" + slug + ".example"
	own.runIn(staffPassword+"\n", "user", "create", "--org", slug, "--email", email, "--role", "owner")
	var out bytes.Buffer
	srv := exec.Command(suite.bin, "serve")
	srv.Env, srv.Stdout, srv.Stderr = own.env, &out, &out
	must(t, srv.Start())
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", out.String())
		}
	})
	if err := waitHealthy(own.base, 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	sim.Start(ctx) // its devices bootstrap once the server has installed the provisions

	p := newPageAt(t, own.base)
	login(t, p, email, staffPassword)
	return &integrationServer{own: own, sim: ss, nbiAddr: ss.nbiAddr, page: p}
}

// api calls the server's JSON API with key, decoding the answer into into
// (nil: not decoded); it returns the status.
func (s *integrationServer) api(t *testing.T, key, method, path string, into any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.own.base+path, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	if into != nil {
		must(t, json.NewDecoder(resp.Body).Decode(into))
	}
	return resp.StatusCode
}

// checkStatus reloads the Integration page until check id shows want (the
// page runs its checks on each load), and fails after a minute.
func (s *integrationServer) checkStatus(t *testing.T, id, want string) playwright.Locator {
	t.Helper()
	check := byTestID(s.page, "check-"+id)
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := s.page.Goto("/admin/integration")
		must(t, err)
		got, err := check.GetAttribute("data-status")
		must(t, err)
		if got == want {
			return check
		}
		if time.Now().After(deadline) {
			text, _ := byTestID(s.page, "checks").InnerText()
			t.Fatalf("check %s is %q, not %q, after a minute:\n%s", id, got, want, text)
		}
	}
}

// Against serve and a simulator whose devices bootstrapped: every check
// green. The simulator stopped: the NBI check red, naming the address
// tried and what to do.
func TestE2EIntegrationPage(t *testing.T) {
	t.Parallel()
	s := newIntegrationServer(t, "intok", "")
	p := s.page
	s.checkStatus(t, "identify", "ok")
	// Every check: the sync and fault poll have run, identify answered the
	// devices, the provisions are GenieACS's.
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := p.Goto("/admin/integration")
		must(t, err)
		ok, err := byTestID(p, "checks-summary").GetAttribute("data-ok")
		must(t, err)
		if ok == "true" {
			break
		}
		if time.Now().After(deadline) {
			text, _ := byTestID(p, "checks").InnerText()
			t.Fatalf("not every check passed within a minute:\n%s", text)
		}
	}
	for _, id := range []string{"nbi", "breaker", "provisions", "speedtest", "key", "identify", "sync", "faultpoll", "unidentified"} {
		st, err := byTestID(p, "check-"+id).GetAttribute("data-status")
		must(t, err)
		if st != "ok" {
			t.Fatalf("check %s: %s", id, st)
		}
	}
	text, err := byTestID(p, "check-nbi").InnerText()
	must(t, err)
	if !strings.Contains(text, acssim.GenieACSVersion) {
		t.Fatalf("the NBI check names no GenieACS version: %q", text)
	}
	shot(t, p, "integration-green")

	// One device through the search box: its checklist.
	gid := s.sim.DeviceIDs()[0]
	must(t, byTestID(p, "device-q").Fill(gid))
	must(t, byTestID(p, "device-run").Click())
	must(t, p.WaitForLoadState())
	st, err := byTestID(p, "checklist").GetByTestId("check-identified").GetAttribute("data-status")
	must(t, err)
	if st != "ok" {
		t.Fatalf("the device's identified check: %s", st)
	}

	// The simulator's devices are pending (no organization claimed them):
	// the checklist says so. Claimed, its device page leads to its
	// checklist, and a connection request is sent from there.
	if n, err := byTestID(p, "checklist-pending").Count(); err != nil || n != 1 {
		t.Fatalf("the pending device's checklist does not say it is pending (%d, %v)", n, err)
	}
	key := strings.TrimSpace(s.own.run("apikey", "create", "--org", "intok", "--name", "e2e"))
	key = key[strings.LastIndex(key, "\n")+1:]
	var pending struct {
		Items []struct{ ID, GenieacsID string }
	}
	if st := s.api(t, key, http.MethodGet, "/cpe/pending", &pending); st != http.StatusOK || len(pending.Items) == 0 {
		t.Fatalf("pending devices: %d %+v", st, pending)
	}
	dev := pending.Items[0].ID
	if st := s.api(t, key, http.MethodPost, "/cpe/pending/"+dev+"/claim", nil); st != http.StatusOK {
		t.Fatalf("claim: %d", st)
	}
	_, err = p.Goto("/devices/" + dev)
	must(t, err)
	must(t, byTestID(p, "troubleshoot-link").Click())
	must(t, byTestID(p, "wake-run").Click())
	must(t, p.WaitForLoadState())
	body, err := p.Locator("body").InnerText()
	must(t, err)
	if !strings.Contains(body, "Connection request: the device answered") {
		t.Fatalf("no connection request outcome on the checklist page:\n%s", body)
	}
	st, err = byTestID(p, "check-wake").GetAttribute("data-status")
	must(t, err)
	if st != "ok" {
		t.Fatalf("the connection request check after a request answered: %s", st)
	}
	shot(t, p, "device-checklist")

	// GenieACS goes away.
	s.sim.stop()
	check := s.checkStatus(t, "nbi", "fail")
	text, err = check.InnerText()
	must(t, err)
	if !strings.Contains(text, "http://"+s.nbiAddr) || !strings.Contains(text, "What to do") {
		t.Fatalf("the NBI check does not name the address tried and the fix: %q", text)
	}
	sum, err := byTestID(p, "checks-summary").InnerText()
	must(t, err)
	if !strings.Contains(sum, "GenieACS NBI reachable") {
		t.Fatalf("the summary at the top does not name the NBI check: %q", sum)
	}
	shot(t, p, "integration-nbi-down")
}

// A simulator whose ext script sends another internal key: the key check
// red (identify refused its calls), and its devices listed as never
// identified with their GenieACS faults.
func TestE2EIntegrationWrongKey(t *testing.T) {
	t.Parallel()
	s := newIntegrationServer(t, "intkey", "a-wrong-internal-key-0123456789abcdef")
	check := s.checkStatus(t, "key", "fail")
	text, err := check.InnerText()
	must(t, err)
	if !strings.Contains(text, "wrong key") || !strings.Contains(text, "FYBERPAY_INTERNAL_KEY") {
		t.Fatalf("the key check does not say what happened and what to do: %q", text)
	}
	s.checkStatus(t, "unidentified", "fail")
	rows, err := byTestID(s.page, "unidentified-fault").Count()
	must(t, err)
	if rows == 0 {
		t.Fatal("no never-identified device listed with its GenieACS fault")
	}
	fault, err := byTestID(s.page, "unidentified-fault").First().InnerText()
	must(t, err)
	if !strings.Contains(fault, "401") {
		t.Fatalf("the listed fault is not identify's 401: %q", fault)
	}
	shot(t, s.page, "integration-wrong-key")
}
