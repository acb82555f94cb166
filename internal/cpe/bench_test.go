package cpe_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/fyberpay/cpe/internal/cpe"
)

// BenchmarkIdentify is the identify service alone (no HTTP) over 100,000
// known devices, clients in parallel: what one request costs in CPU and
// round trips. The end-to-end figure under a fixed load is
// .ci/bench-identify.sh.
func BenchmarkIdentify(b *testing.B) {
	ctx := context.Background()
	tb := setupB(b)
	if _, err := tb.pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, oui, product_class, first_contact_at)
		SELECT CASE WHEN i % 2 = 0 THEN $1::uuid END, 'HWTC' || lpad(to_hex(i), 8, '0'), upper('HWTC' || lpad(to_hex(i), 8, '0')),
			'00259E', 'HG8245H', now() FROM generate_series(1, 100000) i`, tb.org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := tb.pool.Exec(ctx, `ANALYZE cpe_devices`); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			serial := fmt.Sprintf("48575443%08X", 1+i*7919%100000)
			if _, err := tb.svc.Identify(ctx, cpe.IdentifyInput{Serial: serial, OUI: "00259E", ProductClass: "HG8245H",
				Manufacturer: "Huawei Technologies Co., Ltd", DeviceID: "00259E-HG8245H-" + serial, Root: "InternetGatewayDevice"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
