package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/dbtest"
)

// TestSimAndServe is the integration acceptance: `fyberpay sim --devices
// 500` and `fyberpay serve` pointed at it. The provisions, presets and
// speed-test file appear in the simulator, and every device bootstraps
// through identify into Postgres as a pending device with its data model.
func TestSimAndServe(t *testing.T) {
	t.Parallel()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	ctx := context.Background()
	dbURL, drop, err := dbtest.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	nbiPort, _ := freePort()
	fsPort, _ := freePort()
	appPort, _ := freePort()
	appURL := "http://127.0.0.1:" + appPort
	nbiURL := "http://127.0.0.1:" + nbiPort

	start := func(name string, env []string, args ...string) {
		var log bytes.Buffer
		cmd := exec.Command(suite.bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			_, _ = cmd.Process.Wait()
			if t.Failed() {
				t.Logf("%s log (tail):\n%s", name, tail(log.String(), 3000))
			}
		})
	}
	start("sim", os.Environ(), "sim", "--devices", "500", "--nbi-addr", "127.0.0.1:"+nbiPort, "--fs-addr", "127.0.0.1:"+fsPort,
		"--fyberpay-url", appURL, "--internal-key", internalKey, "--await-preset", "fyberpay-bootstrap",
		"--time-compression", "60", "--offline-ratio", "0", "--seed", "11")
	start("serve", append(os.Environ(),
		"DATABASE_URL="+dbURL, "HTTP_ADDR=127.0.0.1:"+appPort, "PUBLIC_URL="+appURL,
		"SESSION_KEYS=c2Vzc2lvbi1rZXktZm9yLWUyZS10ZXN0cy1vbmx5LTMyYnl0ZXMhIQ==",
		"ENCRYPTION_KEY=k1:ZW5jcnlwdGlvbi1rZXktZm9yLWUyZS10ZXN0cy0zMiE=",
		"GENIEACS_NBI_URL="+nbiURL, "GENIEACS_FS_URL=http://127.0.0.1:"+fsPort, "GENIEACS_INTERNAL_KEY="+internalKey,
	), "serve")
	if err := waitHealthy(appURL, 20*time.Second); err != nil {
		t.Fatal(err)
	}

	// GenieACS configuration uploaded by the bootstrap job.
	deadline := time.Now().Add(60 * time.Second)
	for _, q := range []struct{ collection, id string }{
		{"provisions", "fyberpay-bootstrap"}, {"provisions", "fyberpay-health"}, {"provisions", "fyberpay-diagnostics"},
		{"presets", "fyberpay-bootstrap"}, {"presets", "fyberpay-health"}, {"presets", "fyberpay-diagnostics"},
		{"files", "fyberpay-speedtest-10MB.bin"},
	} {
		for {
			n := nbiCount(t, nbiURL, q.collection, q.id)
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s never appeared in the simulator", q.collection, q.id)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// Every device identified itself and is pending, with its data model.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var pending, tr098, tr181, noModel int
	for {
		err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE org_id IS NULL),
			count(*) FILTER (WHERE data_model = 'TR-098'), count(*) FILTER (WHERE data_model = 'TR-181'),
			count(*) FILTER (WHERE data_model = '' OR genieacs_id IS NULL) FROM cpe_devices`).Scan(&pending, &tr098, &tr181, &noModel)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 500 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 500 devices pending after 60 s", pending)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if noModel != 0 || tr098 == 0 || tr181 == 0 || tr098+tr181 != 500 {
		t.Fatalf("data models: TR-098 %d, TR-181 %d, missing %d", tr098, tr181, noModel)
	}
	var hexSerials int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM cpe_devices WHERE serial LIKE '48575443%' AND serial_norm LIKE 'HWTC%'`).Scan(&hexSerials); err != nil {
		t.Fatal(err)
	}
	if hexSerials == 0 {
		t.Fatal("Huawei devices report hex serials that are stored in label form")
	}
	t.Logf("500 pending: %d TR-098, %d TR-181; %d Huawei hex serials normalised", tr098, tr181, hexSerials)
}

func nbiCount(t *testing.T, nbi, collection, id string) int {
	t.Helper()
	q, _ := json.Marshal(map[string]string{"_id": id})
	resp, err := http.Head(fmt.Sprintf("%s/%s/?query=%s", nbi, collection, url.QueryEscape(string(q))))
	if err != nil {
		return -1
	}
	resp.Body.Close()
	var n int
	fmt.Sscan(resp.Header.Get("total"), &n)
	return n
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
