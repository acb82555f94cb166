package api_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkAPIKeyRequest measures an authenticated JSON API request through
// the whole stack (Echo, request log, API-key lookup + constant-time hash
// compare, handler), clients in parallel on the same cores as the server —
// comparable with the "identify" limit (one indexed SELECT behind net/http).
func BenchmarkAPIKeyRequest(b *testing.B) {
	bundle := webtest.Setup(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	req := func() error {
		r, _ := http.NewRequest(http.MethodGet, bundle.Srv.URL+"/cpe/me", nil)
		r.Header.Set("Authorization", "Bearer "+bundle.KeyA)
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	require.NoError(b, req())
	b.SetParallelism(16) // 16 × GOMAXPROCS client goroutines
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := req(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
