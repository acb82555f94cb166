package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/web/callback"
	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkIdentifyHTTP is identify through the whole HTTP stack in
// process (for CPU profiles; the load figure is .ci/bench-identify.sh).
func BenchmarkIdentifyHTTP(b *testing.B) {
	bundle := webtest.Setup(b)
	ctx := context.Background()
	now := time.Now()
	fleet := make([]cpetest.Device, 100000)
	for i := range fleet {
		fleet[i] = cpetest.Device{Serial: fmt.Sprintf("HWTC%08X", i+1), OUI: "00259E", ProductClass: "HG8245H", FirstContactAt: &now}
	}
	if _, err := cpetest.InsertMany(ctx, bundle.Pool, fleet); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			serial := fmt.Sprintf("48575443%08X", 1+i*7919%100000)
			body := `{"serial":"` + serial + `","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei Technologies Co., Ltd","deviceId":"00259E-HG8245H-` + serial + `","root":"InternetGatewayDevice"}`
			req, _ := http.NewRequest(http.MethodPost, bundle.Srv.URL+"/internal/cpe/identify", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(callback.HeaderKey, webtest.InternalKey)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
