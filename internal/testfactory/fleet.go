package testfactory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/org"
)

// Fleet inserts n devices into o in one statement (cpetest.InsertMany),
// serials numbered from first (so calls for several organizations do not
// collide), spread like a live fleet: ~80% informed within 10 minutes,
// ~8% up to an hour ago, ~9% hours to a week ago, 3% never; eight firmware
// versions with a long tail and 2% unreported; three models.
func Fleet(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, first, n int) {
	t.Helper()
	models := []string{"HG8245H", "HG8546M", "EG8145V5"}
	firmware := []string{"V3R017C10S135", "V3R017C10S135", "V3R017C10S135", "V3R016C10S120",
		"V3R016C10S120", "V5R019C00S050", "V5R020C10S115", "V3R015C10S100", "V5R021C00S210", "V1R006C00S010"}
	now := time.Now()
	firstContact := now.Add(-90 * 24 * time.Hour)
	ds := make([]cpetest.Device, 0, n)
	for i := first; i < first+n; i++ {
		d := cpetest.Device{OrgID: &o.ID, Serial: fmt.Sprintf("48575443%08X", i), OUI: "00259E", ProductClass: models[i%3],
			DataModel: "TR-098", FirstContactAt: &firstContact}
		if i%50 != 0 {
			d.SoftwareVersion = firmware[(i*7)%10]
		}
		if p := i % 100; p >= 3 { // 3% never informed
			ago := 3600 + (i*7919)%604800
			if p < 83 {
				ago = (i * 7919) % 600
			} else if p < 91 {
				ago = 600 + (i*7919)%3000
			}
			at := now.Add(-time.Duration(ago) * time.Second)
			d.LastInformAt = &at
		}
		ds = append(ds, d)
	}
	if _, err := cpetest.InsertMany(ctx, pool, ds); err != nil {
		t.Fatalf("testfactory.Fleet: %v", err)
	}
}

// Faults inserts n faults of o raised over the last 30 days, a third in
// each status, ids numbered from first.
func Faults(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, first, n int) {
	t.Helper()
	_, err := pool.Exec(ctx, `
		INSERT INTO cpe_faults (genieacs_id, org_id, genieacs_device_id, channel, code, status, raised_at)
		SELECT 'dev-' || i || ':default', $1, 'dev-' || i, 'default', '9002',
			(ARRAY['active', 'resolved', 'cleared'])[1 + i % 3], now() - make_interval(secs => (i * 104729) % 2592000)
		FROM generate_series($2::int, $3::int) i`, o.ID, first, first+n-1)
	if err != nil {
		t.Fatalf("testfactory.Faults: %v", err)
	}
}
