package acssim

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// procStatusKB reads a "VmRSS"/"VmHWM" line of /proc/self/status in KiB.
func procStatusKB(tb testing.TB, field string) float64 {
	tb.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			require.NoError(tb, err)
			return n
		}
	}
	tb.Skipf("%s not in /proc/self/status", field)
	return 0
}

// build100k creates and bootstraps n devices, returning the simulator and
// how long it took.
func buildFleet(tb testing.TB, n int) (*Sim, time.Duration) {
	tb.Helper()
	start := time.Now()
	s, err := New(Options{Devices: n, Seed: 7, Concurrency: runtime.GOMAXPROCS(0) * 2})
	require.NoError(tb, err)
	require.NoError(tb, s.BootstrapAll(context.Background()))
	tb.Cleanup(s.Close)
	return s, time.Since(start)
}

// BenchmarkSim100k builds 100,000 bootstrapped devices in one process and
// reports memory (RSS, peak RSS, Go heap) and build time.
func BenchmarkSim100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, took := buildFleet(b, 100_000)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(procStatusKB(b, "VmRSS")/1024, "RSS-MB")
		b.ReportMetric(procStatusKB(b, "VmHWM")/1024, "peakRSS-MB")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(took.Seconds(), "build-s")
		require.Equal(b, 100_000, s.Stats().Registered)

		require.Zero(b, s.Stats().Faults)
		runtime.GC()
		b.ReportMetric(procStatusKB(b, "VmRSS")/1024, "provisioned-RSS-MB")
		b.ReportMetric(procStatusKB(b, "VmHWM")/1024, "provisioned-peakRSS-MB")
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
