package acssim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// procStatusKB reads a "VmRSS"/"VmHWM" line of /proc/self/status in KiB;
// a benchmark that reports them checks they are there (procStatusReadable)
// before it builds anything.
func procStatusKB(tb testing.TB, field string) float64 {
	tb.Helper()
	v, err := readProcStatusKB(field)
	require.NoError(tb, err)
	return v
}

// procStatusReadable skips the benchmark, before any set-up, where
// /proc/self/status does not report the memory figures.
func procStatusReadable(tb testing.TB, fields ...string) {
	tb.Helper()
	for _, f := range fields {
		if _, err := readProcStatusKB(f); err != nil {
			tb.Skipf("no memory figures to report: %v", err)
		}
	}
}

func readProcStatusKB(field string) (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s not in /proc/self/status", field)
}

// buildFleet creates n devices in a GenieACS configured by FyberPay (its
// provisions and presets; the ext script in Node, answered by a local
// identify endpoint that assigns every device: tags, PPPoE, both Wi-Fi
// bands), bootstraps them all and runs one periodic inform each (the
// health provision), so every document is as large as in production. It
// returns the simulator and how long that took.
func buildFleet(tb testing.TB, n int) (*Sim, time.Duration) {
	tb.Helper()
	ident := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"assigned","tags":["org:acme","sub:user-000001","plan:home-10"],
			"pppoe":{"username":"user-000001","password":"s3cret-pass"},
			"wifi":[{"band":"2.4GHz","ssid":"Home-000001","password":"wifi-pass-1"},{"band":"5GHz","ssid":"Home-000001-5G","password":"wifi-pass-1"}],
			"periodicInformInterval":300}`)
	}))
	tb.Cleanup(ident.Close)
	start := time.Now()
	s, err := New(Options{Devices: n, Seed: 7, Concurrency: runtime.GOMAXPROCS(0) * 4,
		ExtDir: fyberpayExtDir(tb), ExtEnv: []string{"FYBERPAY_URL=" + ident.URL, "FYBERPAY_INTERNAL_KEY=k"}})
	require.NoError(tb, err)
	tb.Cleanup(s.Close)
	nbi := httptest.NewServer(s.NBI())
	tb.Cleanup(nbi.Close)
	installFyberPay(tb, &nbiClient{t: tb, base: nbi.URL, c: http.DefaultClient})
	require.NoError(tb, s.BootstrapAll(context.Background()))
	ids := s.DeviceIDs()
	ch := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)*4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ch {
				require.NoError(tb, s.Inform(context.Background(), id, "2 PERIODIC"))
			}
		}()
	}
	for _, id := range ids {
		ch <- id
	}
	close(ch)
	wg.Wait()
	require.Zero(tb, s.Stats().Faults, "every session ran through")
	return s, time.Since(start)
}

// BenchmarkSim100k builds 100,000 devices, bootstrapped and provisioned
// through the provision runtime (FyberPay's scripts, the ext in Node) and
// one health inform each, in one process, and reports memory (RSS, peak
// RSS, Go heap), build time and the document entries per device.
func BenchmarkSim100k(b *testing.B) {
	procStatusReadable(b, "VmRSS", "VmHWM")
	LimitMemory() // as fyberpay sim runs
	defer debug.SetMemoryLimit(math.MaxInt64)
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SIM_BENCH_DEVICES")); err == nil && v > 0 {
		n = v
	}
	for i := 0; i < b.N; i++ {
		s, took := buildFleet(b, n)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(procStatusKB(b, "VmRSS")/1024, "RSS-MB")
		b.ReportMetric(procStatusKB(b, "VmHWM")/1024, "peakRSS-MB")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(took.Seconds(), "build-s")
		st := s.Stats()
		require.Equal(b, n, st.Registered)
		b.ReportMetric(float64(st.Informs)/took.Seconds(), "sessions/s")
		s.mu.RLock()
		entries := 0
		for _, d := range s.devs {
			entries += len(d.doc)
		}
		s.mu.RUnlock()
		b.ReportMetric(float64(entries)/float64(n), "doc-entries/device")
	}
}

// BenchmarkPage100k pages all 100,000 devices through the NBI the way the
// sync job does: keyset on _id, limit 1000, a projection.
func BenchmarkPage100k(b *testing.B) {
	s, _ := buildFleet(b, 100_000)
	srv := httptest.NewServer(s.NBI())
	defer srv.Close()
	proj := "_id,_lastInform,_deviceId._SerialNumber,InternetGatewayDevice.DeviceInfo.SoftwareVersion,Device.DeviceInfo.SoftwareVersion,_tags"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		last, seen, pages := "", 0, 0
		for {
			q := `{}`
			if last != "" {
				q = `{"_id":{"$gt":` + strconv.Quote(last) + `}}`
			}
			resp, err := http.Get(srv.URL + "/devices/?query=" + url.QueryEscape(q) + "&sort=" + url.QueryEscape(`{"_id":1}`) +
				"&limit=1000&projection=" + url.QueryEscape(proj))
			require.NoError(b, err)
			var docs []map[string]any
			require.NoError(b, json.NewDecoder(resp.Body).Decode(&docs))
			resp.Body.Close()
			pages++
			if len(docs) == 0 {
				break
			}
			seen += len(docs)
			last = docs[len(docs)-1]["_id"].(string)
		}
		require.Equal(b, 100_000, seen)
		b.ReportMetric(time.Since(start).Seconds(), "s/full-sync")
		b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(pages), "ms/page")
	}
}
