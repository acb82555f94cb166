package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fyberpay/cpe/web/callback"
	"github.com/fyberpay/cpe/web/webtest"
)

// BenchmarkIdentifyHTTP is identify through the whole HTTP stack in
// process (for CPU profiles; the load figure is .ci/bench-identify.sh).
func BenchmarkIdentifyHTTP(b *testing.B) {
	bundle := webtest.Setup(b)
	ctx := context.Background()
	if _, err := bundle.Pool.Exec(ctx, `INSERT INTO cpe_devices (serial, serial_norm, oui, product_class, first_contact_at)
		SELECT 'HWTC' || lpad(to_hex(i), 8, '0'), upper('HWTC' || lpad(to_hex(i), 8, '0')), '00259E', 'HG8245H', now()
		FROM generate_series(1, 100000) i`); err != nil {
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
