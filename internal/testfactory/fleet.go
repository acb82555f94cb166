package testfactory

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/org"
)

// Fleet inserts n devices into o in one statement, serials numbered from
// first (so calls for several organizations do not collide), spread like a
// live fleet: ~80% informed within 10 minutes, ~8% up to an hour ago, ~9%
// hours to a week ago, 3% never; eight firmware versions with a long tail
// and 2% unreported; three models.
func Fleet(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, first, n int) {
	t.Helper()
	_, err := pool.Exec(ctx, `
		INSERT INTO cpe_devices (org_id, serial, serial_norm, oui, product_class, software_version, data_model, last_inform_at, first_contact_at)
		SELECT $1, '48575443' || upper(lpad(to_hex(i), 8, '0')), 'HWTC' || upper(lpad(to_hex(i), 8, '0')), '00259E',
			(ARRAY['HG8245H', 'HG8546M', 'EG8145V5'])[1 + i % 3],
			CASE WHEN i % 50 = 0 THEN '' ELSE (ARRAY['V3R017C10S135', 'V3R017C10S135', 'V3R017C10S135', 'V3R016C10S120',
				'V3R016C10S120', 'V5R019C00S050', 'V5R020C10S115', 'V3R015C10S100', 'V5R021C00S210', 'V1R006C00S010'])[1 + (i * 7) % 10] END,
			'TR-098',
			CASE WHEN i % 100 < 3 THEN NULL
				WHEN i % 100 < 83 THEN now() - make_interval(secs => (i * 7919) % 600)
				WHEN i % 100 < 91 THEN now() - make_interval(secs => 600 + (i * 7919) % 3000)
				ELSE now() - make_interval(secs => 3600 + (i * 7919) % 604800) END,
			now() - interval '90 days'
		FROM generate_series($2::int, $3::int) i`, o.ID, first, first+n-1)
	if err != nil {
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
