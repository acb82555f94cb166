package devicehealth_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

type testBundle struct {
	pool       *pgxpool.Pool
	svc        *devicehealth.Service
	orgA, orgB org.Org
	viewerA    actor.Actor
	deviceA    uuid.UUID
	// now is a minute boundary shortly before the test; samples are dated
	// from it.
	now time.Time
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	// now is a second before the minute began: the service's window ends
	// at its own now (whole seconds), so a sample exactly a window before
	// b.now can never fall on the window's edge.
	b := &testBundle{pool: pool, svc: devicehealth.NewService(pool), now: time.Now().UTC().Truncate(time.Minute).Add(-time.Second)}
	b.orgA = testfactory.Org(ctx, t, pool, nil)
	b.orgB = testfactory.Org(ctx, t, pool, nil)
	b.viewerA = testfactory.Actor(testfactory.User(ctx, t, pool, b.orgA, &testfactory.UserOpts{Role: testfactory.Ptr(actor.RoleViewer)}))
	b.deviceA = testfactory.Device(ctx, t, pool, &b.orgA, "HEALTH0001", nil)
	return b
}

// sample is one cpe_metrics row, ago before b.now.
type sample struct {
	ago            time.Duration
	recv, sent     int64
	uptime, memory int64
	cpu            float32
	clients        int
}

func (b *testBundle) seed(t *testing.T, device uuid.UUID, ss ...sample) {
	t.Helper()
	for _, s := range ss {
		_, err := b.pool.Exec(context.Background(), `INSERT INTO cpe_metrics (device_id, at, uptime_s, cpu_percent, memory_free_kib,
			wan_bytes_sent, wan_bytes_received, wifi_clients) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			device, b.now.Add(-s.ago), s.uptime, s.cpu, s.memory, s.sent, s.recv, s.clients)
		require.NoError(t, err)
	}
}

func TestSeries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const h, m = time.Hour, time.Minute

	t.Run("TrafficRatesAndGauges", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.seed(t, b.deviceA,
			// Before the window: no gauge point, but the first rate.
			sample{ago: 24*h + 10*m, recv: 0, sent: 0, uptime: 100, cpu: 99, memory: 1, clients: 9},
			// 112,500,000 bytes in 15 min = 1 Mbps down; 0.1 Mbps up.
			sample{ago: 23*h + 55*m, recv: 112_500_000, sent: 11_250_000, uptime: 1000, cpu: 10.5, memory: 50_000, clients: 3},
			sample{ago: 23*h + 40*m, recv: 337_500_000, sent: 33_750_000, uptime: 1900, cpu: 20, memory: 40_000, clients: 4},
			// Rebooted: counters back near zero, no rate for this pair.
			sample{ago: 23*h + 25*m, recv: 1000, sent: 1000, uptime: 60, cpu: 5, memory: 60_000, clients: 0},
			sample{ago: 23*h + 10*m, recv: 56_251_000, sent: 1000, uptime: 960, cpu: 6, memory: 61_000, clients: 1},
			// Three hours without a sample: no rate across the gap.
			sample{ago: 20*h + 10*m, recv: 9_000_000_000, sent: 9_000_000_000, uptime: 11760, cpu: 7, memory: 62_000, clients: 2},
			// 450,000,000 bytes in 15 min = 4 Mbps.
			sample{ago: 19*h + 55*m, recv: 9_450_000_000, sent: 9_000_000_000, uptime: 12660, cpu: 8, memory: 63_000, clients: 2},
		)
		s, err := b.svc.Series(ctx, b.viewerA, b.deviceA, 0)
		require.NoError(t, err)
		at := func(d time.Duration) time.Time { return b.now.Add(-d) }
		require.Equal(t, "24h", s.Range)
		require.Equal(t, 6, s.Samples)
		require.Zero(t, s.BucketSeconds)
		require.Equal(t, []devicehealth.Point{{At: at(23*h + 55*m), Value: 1}, {At: at(23*h + 40*m), Value: 2},
			{At: at(23*h + 10*m), Value: 0.5}, {At: at(19*h + 55*m), Value: 4}}, s.DownMbps)
		require.Equal(t, []devicehealth.Point{{At: at(23*h + 55*m), Value: 0.1}, {At: at(23*h + 40*m), Value: 0.2},
			{At: at(23*h + 10*m), Value: 0}, {At: at(19*h + 55*m), Value: 0}}, s.UpMbps)
		require.Equal(t, []float64{10.5, 20, 5, 6, 7, 8}, values(s.CPUPercent))
		require.Equal(t, at(23*h+55*m), s.CPUPercent[0].At)
		require.Equal(t, []float64{50_000, 40_000, 60_000, 61_000, 62_000, 63_000}, values(s.MemoryFreeKiB))
		require.Equal(t, []float64{3, 4, 0, 1, 2, 2}, values(s.WiFiClients))
		require.Equal(t, []float64{1000, 1900, 60, 960, 11760, 12660}, values(s.UptimeS))
		require.Equal(t, 4.0, *s.LatestDownMbps, "the last pair's rate")
		require.Equal(t, 0.0, *s.LatestUpMbps)

		// The device reboots: the newest pair is a reset, so there is no
		// latest rate (not the 4 Mbps of the pair before).
		b.seed(t, b.deviceA, sample{ago: 19*h + 40*m, recv: 5000, sent: 5000, uptime: 30, cpu: 9, memory: 64_000, clients: 0})
		s, err = b.svc.Series(ctx, b.viewerA, b.deviceA, 0)
		require.NoError(t, err)
		require.Equal(t, 4.0, s.DownMbps[len(s.DownMbps)-1].Value, "the chart keeps its last rate")
		require.Nil(t, s.LatestDownMbps)
		require.Nil(t, s.LatestUpMbps)
	})

	t.Run("LongWindowsAveragedIntoBuckets", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// A sample every 15 min for 30 days: CPU alternating 10 and 20,
		// traffic a steady 1 Mbps down and 2 Mbps up.
		_, err := b.pool.Exec(ctx, `INSERT INTO cpe_metrics (device_id, at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients)
			SELECT $1, $2::timestamptz - n * interval '15 minutes', 100000 - n, CASE WHEN n % 2 = 0 THEN 10 ELSE 20 END, 50000,
				(2880 - n) * 225000000::bigint, (2880 - n) * 112500000::bigint, 3
			FROM generate_series(0, 2879) n`, b.deviceA, b.now)
		require.NoError(t, err)

		day, err := b.svc.Series(ctx, b.viewerA, b.deviceA, devicehealth.Day)
		require.NoError(t, err)
		require.Zero(t, day.BucketSeconds, "96 samples are shown as they are")
		require.Len(t, day.CPUPercent, 96)
		require.Len(t, day.DownMbps, 96)

		for _, tt := range []struct {
			window  time.Duration
			samples int
			bucket  int
		}{{devicehealth.Week, 672, 2016}, {devicehealth.Month, 2880, 8640}} {
			s, err := b.svc.Series(ctx, b.viewerA, b.deviceA, tt.window)
			require.NoError(t, err)
			require.Equal(t, tt.samples, s.Samples)
			require.Equal(t, tt.bucket, s.BucketSeconds)
			wantPoints := int(tt.window / (time.Duration(tt.bucket) * time.Second))
			for name, ps := range map[string][]devicehealth.Point{"cpu": s.CPUPercent, "down": s.DownMbps, "up": s.UpMbps, "memory": s.MemoryFreeKiB} {
				require.LessOrEqual(t, len(ps), devicehealth.MaxPoints, name)
				require.GreaterOrEqual(t, len(ps), wantPoints-1, name)
				for i := 1; i < len(ps); i++ {
					require.True(t, ps[i].At.After(ps[i-1].At), "%s ordered by time", name)
				}
				require.True(t, ps[0].At.After(s.From), name)
			}
			for i := range s.DownMbps {
				require.Equal(t, 1.0, s.DownMbps[i].Value)
				require.Equal(t, 2.0, s.UpMbps[i].Value)
				require.Equal(t, 50000.0, s.MemoryFreeKiB[i].Value)
			}
			for _, p := range s.CPUPercent {
				require.InDelta(t, 15, p.Value, 1.7, "a bucket averages both values")
			}
		}
	})

	t.Run("LatestFromTheDevice", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		require.NoError(t, cpetest.SetHealth(ctx, b.pool, b.deviceA, cpetest.Health{At: b.now, UptimeS: 3600, CPUPercent: 12.5,
			MemoryFreeKiB: 40960, WANBytesSent: 7, WANBytesReceived: 8, WiFiClients: 5}))
		s, err := b.svc.Series(ctx, b.viewerA, b.deviceA, devicehealth.Week)
		require.NoError(t, err)
		require.Equal(t, "7d", s.Range)
		require.Zero(t, s.Samples)
		require.Empty(t, s.CPUPercent)
		require.Equal(t, b.now, *s.Latest.At)
		require.Equal(t, int64(3600), *s.Latest.UptimeS)
		require.Equal(t, 12.5, *s.Latest.CPUPercent)
		require.Equal(t, int64(40960), *s.Latest.MemoryFreeKiB)
		require.Equal(t, int64(8), *s.Latest.WANBytesReceived)
		require.Equal(t, 5, *s.Latest.WiFiClients)

		never := testfactory.Device(ctx, t, b.pool, &b.orgA, "HEALTH0002", nil)
		s, err = b.svc.Series(ctx, b.viewerA, never, 0)
		require.NoError(t, err)
		require.Nil(t, s.Latest.At)
		require.Nil(t, s.Latest.CPUPercent)
	})

	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		b := setup(t) // one database: these only read (and seed another organization)

		t.Run("OnlyTheThreeRanges", func(t *testing.T) {
			_, err := b.svc.Series(ctx, b.viewerA, b.deviceA, time.Hour)
			var ve validation.Errors
			require.ErrorAs(t, err, &ve)
			require.Contains(t, ve, "range")

			for name, want := range map[string]time.Duration{"": devicehealth.Day, "24h": devicehealth.Day, "7d": devicehealth.Week, "30d": devicehealth.Month} {
				w, err := devicehealth.ParseRange(name)
				require.NoError(t, err)
				require.Equal(t, want, w, name)
			}
			for _, bad := range []string{"1h", "7D", "30", "1y"} {
				_, err := devicehealth.ParseRange(bad)
				require.ErrorAs(t, err, &ve, bad)
				require.Contains(t, ve, "range")
			}
		})

		t.Run("OtherOrganizationsDeviceNotFound", func(t *testing.T) {
			other := testfactory.Device(ctx, t, b.pool, &b.orgB, "HEALTH0003", nil)
			pending := testfactory.Device(ctx, t, b.pool, nil, "HEALTH0004", nil)
			b.seed(t, other, sample{ago: time.Hour, cpu: 5})
			for _, id := range []uuid.UUID{other, pending, uuid.New()} {
				_, err := b.svc.Series(ctx, b.viewerA, id, 0)
				require.ErrorIs(t, err, db.ErrNotFound)
			}
		})

		t.Run("NeedsARole", func(t *testing.T) {
			_, err := b.svc.Series(ctx, actor.Actor{OrgID: b.orgA.ID}, b.deviceA, 0)
			require.ErrorIs(t, err, actor.ErrForbidden)
		})
	})
}

func values(ps []devicehealth.Point) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = p.Value
	}
	return out
}
