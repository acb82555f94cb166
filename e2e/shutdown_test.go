package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SIGTERM while a request is being uploaded and a job is running: the
// server stops taking connections at once, the request finishes (201 with
// its preview) and the job finishes (the webhook delivery is recorded as
// succeeded), and the process exits 0 well within SHUTDOWN_TIMEOUT. It
// runs its own server, so the signal disturbs no other test.
func TestGracefulShutdownFinishesInFlightWork(t *testing.T) {
	t.Parallel()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	ctx := context.Background()

	// The webhook receiver holds the delivery until released.
	got, release := make(chan struct{}, 1), make(chan struct{})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case got <- struct{}{}:
		default:
		}
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(receiver.Close)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})

	own := newOwnServer(t, "WEBHOOK_ALLOW_PRIVATE=true", "SHUTDOWN_TIMEOUT=20s", "LOG_LEVEL=info", "GENIEACS_NBI_URL=")
	base, env, dbURL := own.base, own.env, own.dbURL
	key := own.orgWithKey("stopco", "Stop Co")

	var out bytes.Buffer
	srv := exec.Command(suite.bin, "serve")
	srv.Env, srv.Stdout, srv.Stderr = env, &out, &out
	must(t, srv.Start())
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() { _ = srv.Process.Kill() })
	if err := waitHealthy(base, 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	api := func(method, path, body string, into any) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if into != nil {
			must(t, json.Unmarshal(raw, into))
		}
		return resp.StatusCode
	}
	var hook struct{ ID string }
	if st := api(http.MethodPost, "/cpe/webhooks", `{"url":"`+receiver.URL+`/hook","topics":["cpe.claimed"]}`, &hook); st != http.StatusCreated {
		t.Fatalf("create webhook: %d", st)
	}

	// A CSV import whose body arrives in two parts. With Expect:
	// 100-continue the transport sends the body only once the handler
	// reads it: when the first write returns, the request is in the
	// handler.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+"/cpe/devices/import?filename=slow.csv", pr)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	type answer struct {
		status int
		body   string
		err    error
	}
	imported := make(chan answer, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			imported <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		imported <- answer{status: resp.StatusCode, body: string(raw)}
	}()
	_, err := pw.Write([]byte("serial,model\nHWTC5A0F0001,HG8245H\n"))
	must(t, err)

	// A webhook delivery job, held by the receiver.
	if st := api(http.MethodPost, "/cpe/webhooks/"+hook.ID+"/test", "", nil); st != http.StatusAccepted {
		t.Fatalf("test event: %d", st)
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatalf("the delivery never reached the receiver\n%s", out.String())
	}

	signalled := time.Now()
	must(t, srv.Process.Signal(syscall.SIGTERM))
	// No new connections from now on.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still takes connections 10 s after SIGTERM")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The rest of the upload, then the receiver's answer: both finish.
	_, err = pw.Write([]byte("HWTC5A0F0002,HG8245H\n"))
	must(t, err)
	must(t, pw.Close())
	a := <-imported
	if a.err != nil || a.status != http.StatusCreated || !strings.Contains(a.body, `"valid":2`) {
		t.Fatalf("the in-flight import: %d %v %s\n%s", a.status, a.err, a.body, out.String())
	}
	released = true
	close(release)
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			t.Fatalf("serve exited with %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still running 30 s after SIGTERM\n%s", out.String())
	}
	if took := time.Since(signalled); took > 20*time.Second {
		t.Fatalf("the stop took %s, past SHUTDOWN_TIMEOUT", took)
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged\n%s", out.String())
	}

	conn, err := pgx.Connect(ctx, dbURL)
	must(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	var status string
	var attempts int
	must(t, conn.QueryRow(ctx, `SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`, hook.ID).Scan(&status, &attempts))
	if status != "succeeded" || attempts != 1 {
		t.Fatalf("the delivery running at SIGTERM: %s after %d attempts, want succeeded after 1", status, attempts)
	}
}
