package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/org"
)

// A server killed (SIGKILL) in the middle of a rollout and started again
// finishes it: no device gets a second download (counted in the
// simulator) and the counts are exact. It runs its own server and
// simulator, so killing them disturbs no other test.
func TestFirmwareRolloutSurvivesKill(t *testing.T) {
	t.Parallel()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	ctx := context.Background()
	sim, err := acssim.New(acssim.Options{Devices: 1, Seed: 7, TimeCompression: 60, SessionDelay: time.Millisecond})
	must(t, err)
	t.Cleanup(sim.Close)
	nbi, fs := httptest.NewServer(sim.NBI()), httptest.NewServer(sim.FS())
	t.Cleanup(nbi.Close)
	t.Cleanup(fs.Close)
	sim.SetFSURL(fs.URL)

	own := newOwnServer(t, "GENIEACS_NBI_URL="+nbi.URL, "GENIEACS_FS_URL="+fs.URL, "GENIEACS_INTERNAL_KEY="+internalKey,
		"FIRMWARE_FOLLOW_INTERVAL=300ms", "LOG_LEVEL=warn")
	base, env, dbURL := own.base, own.env, own.dbURL
	key := own.orgWithKey("restart", "Restart ISP")

	conn, err := pgx.Connect(ctx, dbURL)
	must(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	o, err := org.BySlug(ctx, conn, "restart")
	must(t, err)
	const n = 24
	var gids []string
	for i := range n {
		gid, err := sim.AddDevice(acssim.ProfileHuaweiHG8245H, fmt.Sprintf("48575443RS%06d", i))
		must(t, err)
		must(t, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
		_, err = cpetest.Insert(ctx, conn, cpetest.Device{OrgID: &o.ID, Serial: fmt.Sprintf("HWTCRS%06d", i), OUI: "00259E",
			ProductClass: "HG8245H", GenieACSID: gid, DataModel: "TR-098", SoftwareVersion: "V3R017C10S135"})
		must(t, err)
		gids = append(gids, gid)
	}

	var out bytes.Buffer
	start := func() *exec.Cmd {
		cmd := exec.Command(suite.bin, "serve")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
		must(t, cmd.Start())
		if err := waitHealthy(base, 20*time.Second); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		return cmd
	}
	srv := start()
	t.Cleanup(func() { _ = srv.Process.Kill(); _, _ = srv.Process.Wait() })

	api := func(method, path, contentType string, body io.Reader, into any) int {
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Authorization", "Bearer "+key)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if into != nil {
			_ = json.Unmarshal(raw, into)
		}
		if resp.StatusCode >= 300 {
			t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for _, f := range [][2]string{{"oui", "00259E"}, {"productClass", "HG8245H"}, {"version", "V-RESTART"}} {
		must(t, mw.WriteField(f[0], f[1]))
	}
	fw, _ := mw.CreateFormFile("file", "HG8245H_V-RESTART.bin")
	_, _ = fw.Write(make([]byte, 128<<10))
	must(t, mw.Close())
	if st := api(http.MethodPost, "/cpe/firmware", mw.FormDataContentType(), &form, nil); st != http.StatusCreated {
		t.Fatalf("upload: %d", st)
	}
	var dep struct {
		DeploymentID string `json:"deploymentId"`
	}
	if st := api(http.MethodPost, "/cpe/firmware/deploy", "application/json",
		strings.NewReader(`{"filename":"HG8245H_V-RESTART.bin","model":"HG8245H","waves":[25,100],"maxInFlight":4}`), &dep); st != http.StatusAccepted {
		t.Fatalf("deploy: %d", st)
	}
	type status struct {
		State  string `json:"state"`
		Counts struct {
			States map[string]int `json:"states"`
		} `json:"counts"`
	}
	poll := func(until func(status) bool, d time.Duration, what string) status {
		deadline := time.Now().Add(d)
		for {
			var s status
			api(http.MethodGet, "/cpe/firmware/deployments/"+dep.DeploymentID, "", nil, &s)
			if until(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after %s (%+v)\n%s", what, d, s, out.String())
			}
			<-time.After(100 * time.Millisecond)
		}
	}
	mid := poll(func(s status) bool { return s.Counts.States["upgraded"] >= 4 }, 60*time.Second, "a first wave upgraded")
	if mid.Counts.States["upgraded"] == n {
		t.Fatalf("the rollout finished before the kill: %+v", mid)
	}
	must(t, srv.Process.Kill()) // SIGKILL: no shutdown, the job stays "running" in River
	_, _ = srv.Process.Wait()
	srv = start()
	done := poll(func(s status) bool { return s.State == "completed" }, 90*time.Second, "the rollout completed after the restart")
	if done.Counts.States["upgraded"] != n {
		t.Fatalf("counts after the restart: %+v", done.Counts.States)
	}
	for _, gid := range gids {
		if d := sim.Downloads(gid); d != 1 {
			t.Fatalf("%s downloaded %d times", gid, d)
		}
	}
	t.Logf("killed at %d of %d upgraded; finished after the restart", mid.Counts.States["upgraded"], n)
}
