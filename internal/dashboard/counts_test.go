package dashboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
)

// counted is the figures the dashboard shows, as compared here.
type counted struct {
	Total, Online, Offline, Stale, Never int
	Firmware, Models                     map[string][2]int // count, online
}

func countedOf(f dashboard.Fleet) counted {
	c := counted{f.Total, f.Online, f.RecentlyOffline, f.Stale, f.NeverSeen, map[string][2]int{}, map[string][2]int{}}
	for _, b := range f.Firmware {
		c.Firmware[b.Value] = [2]int{b.Count, b.Online}
	}
	for _, b := range f.Models {
		c.Models[b.Value] = [2]int{b.Count, b.Online}
	}
	return c
}

// direct counts org's devices straight from cpe_devices, with the device
// list's status filter: the truth the maintained counts must match.
func direct(pool *pgxpool.Pool, org uuid.UUID, now time.Time) (counted, error) {
	c := counted{Firmware: map[string][2]int{}, Models: map[string][2]int{}}
	th := cpe.DefaultThresholds() // the service's
	rows, err := pool.Query(context.Background(), `SELECT software_version, product_class, count(*),
			count(*) FILTER (WHERE last_inform_at > $2),
			count(*) FILTER (WHERE last_inform_at <= $2 AND last_inform_at > $3),
			count(*) FILTER (WHERE last_inform_at <= $3)
		FROM cpe_devices WHERE org_id = $1 GROUP BY 1, 2`, org, now.Add(-th.Online), now.Add(-th.Stale))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			fw, model                 string
			n, online, offline, stale int
		)
		if err := rows.Scan(&fw, &model, &n, &online, &offline, &stale); err != nil {
			return c, err
		}
		c.Total += n
		c.Online += online
		c.Offline += offline
		c.Stale += stale
		c.Never += n - online - offline - stale
		for _, kv := range []struct {
			m map[string][2]int
			k string
		}{{c.Firmware, fw}, {c.Models, model}} {
			v := kv.m[kv.k]
			kv.m[kv.k] = [2]int{v[0] + n, v[1] + online}
		}
	}
	return c, rows.Err()
}

// The counts the triggers keep agree with counting the table, after every
// kind of write the application makes (inserts, upserts as the sync's,
// updates of the last inform, firmware, model and organization, deletes,
// truncation) and compactions, at clocks on and beside every threshold.
func TestMaintainedCountsMatchTheTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	pool := b.pool
	rng := rand.New(rand.NewPCG(6, 27))
	now := time.Now().UTC().Truncate(time.Microsecond)
	th := cpe.DefaultThresholds() // the service's
	orgs := []*uuid.UUID{&b.orgA.ID, &b.orgB.ID, nil}
	firmware := []string{"", "V1", "V2", "V3 beta"}
	models := []string{"", "HG8245H", "F660"}
	// A last inform: never, or recent, near a threshold, or days back.
	inform := func() *time.Time {
		var ago time.Duration
		switch rng.IntN(6) {
		case 0:
			return nil
		case 1:
			ago = time.Duration(rng.Int64N(int64(th.Online)))
		case 2:
			ago = th.Online + time.Duration(rng.Int64N(int64(2*time.Minute))) - time.Minute
		case 3:
			ago = th.Stale + time.Duration(rng.Int64N(int64(2*time.Minute))) - time.Minute
		case 4:
			ago = time.Duration(rng.Int64N(int64(th.Stale)))
		default:
			ago = time.Duration(rng.Int64N(int64(40 * 24 * time.Hour)))
		}
		at := now.Add(-ago).Truncate(time.Microsecond)
		return &at
	}
	serial := 0
	insert := func(n int) {
		for range n {
			serial++
			_, err := pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, software_version, product_class, last_inform_at)
				VALUES ($1, $2, $2, $3, $4, $5)`, orgs[rng.IntN(3)], fmt.Sprintf("RAND%08d", serial),
				firmware[rng.IntN(len(firmware))], models[rng.IntN(len(models))], inform())
			require.NoError(t, err)
		}
	}
	// Some rows of the table, picked at random.
	some := func() []uuid.UUID {
		rows, err := pool.Query(ctx, `SELECT id FROM cpe_devices WHERE abs(hashtext(id::text || $1)) % 5 = 0`, fmt.Sprint(rng.Int()))
		require.NoError(t, err)
		var ids []uuid.UUID
		for rows.Next() {
			var id uuid.UUID
			require.NoError(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(t, rows.Err())
		return ids
	}
	write := func() {
		switch rng.IntN(7) {
		case 0:
			insert(1 + rng.IntN(30))
		case 1: // informs, one statement for many devices (as the sync's upsert)
			for _, id := range some() {
				_, err := pool.Exec(ctx, `UPDATE cpe_devices SET last_inform_at = $2 WHERE id = $1`, id, inform())
				require.NoError(t, err)
			}
			_, err := pool.Exec(ctx, `UPDATE cpe_devices SET last_inform_at = last_inform_at + interval '37 seconds' WHERE abs(hashtext(id::text || $1)) % 10 < 3`, fmt.Sprint(rng.Int()))
			require.NoError(t, err)
		case 2: // firmware upgrades and model corrections
			_, err := pool.Exec(ctx, `UPDATE cpe_devices SET software_version = $1 WHERE abs(hashtext(id::text || $2)) % 5 = 0`, firmware[rng.IntN(len(firmware))], fmt.Sprint(rng.Int()))
			require.NoError(t, err)
			_, err = pool.Exec(ctx, `UPDATE cpe_devices SET product_class = $1 WHERE abs(hashtext(id::text || $2)) % 10 = 0`, models[rng.IntN(len(models))], fmt.Sprint(rng.Int()))
			require.NoError(t, err)
		case 3: // claims and releases
			for _, id := range some() {
				_, err := pool.Exec(ctx, `UPDATE cpe_devices SET org_id = $2 WHERE id = $1`, id, orgs[rng.IntN(3)])
				require.NoError(t, err)
			}
		case 4: // the sync's upsert: new devices and changed ones in one statement
			serial++
			_, err := pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, software_version, product_class, last_inform_at)
				SELECT org_id, serial, serial_norm, 'V2', product_class, last_inform_at + interval '3 minutes' FROM cpe_devices WHERE abs(hashtext(id::text || $3)) % 10 < 3
				UNION ALL SELECT $1::uuid, $2, $2, 'V1', 'F660', now()
				ON CONFLICT (serial_norm) DO UPDATE SET software_version = EXCLUDED.software_version, last_inform_at = EXCLUDED.last_inform_at`,
				orgs[rng.IntN(3)], fmt.Sprintf("RAND%08d", serial), fmt.Sprint(rng.Int()))
			require.NoError(t, err)
		case 5:
			_, err := pool.Exec(ctx, `DELETE FROM cpe_devices WHERE abs(hashtext(id::text || $1)) % 10 = 0`, fmt.Sprint(rng.Int()))
			require.NoError(t, err)
		case 6:
			_, err := dashboard.Compact(ctx, pool, th, now.Add(time.Duration(rng.Int64N(int64(60*24*time.Hour)))))
			require.NoError(t, err)
		}
	}
	// The clocks to judge at: now, and on and beside both thresholds of a
	// few devices' last informs.
	clocks := func() []time.Time {
		out := []time.Time{now, now.Add(time.Duration(rng.Int64N(int64(3 * time.Hour))))}
		rows, err := pool.Query(ctx, `SELECT last_inform_at FROM cpe_devices WHERE last_inform_at IS NOT NULL ORDER BY hashtext(id::text || $1) LIMIT 3`, fmt.Sprint(rng.Int()))
		require.NoError(t, err)
		for rows.Next() {
			var at time.Time
			require.NoError(t, rows.Scan(&at))
			for _, d := range []time.Duration{th.Online, th.Stale} {
				out = append(out, at.Add(d), at.Add(d).Add(-time.Microsecond), at.Add(d).Add(time.Microsecond))
			}
		}
		require.NoError(t, rows.Err())
		return out
	}

	insert(200)
	for round := range 80 {
		write()
		if round == 40 {
			_, err := pool.Exec(ctx, `TRUNCATE cpe_devices CASCADE`)
			require.NoError(t, err)
			insert(100)
		}
		// The checks only read: they run together, and are judged in order.
		type check struct {
			at        time.Time
			org       uuid.UUID
			want, got counted
			err       error
		}
		var checks []*check
		for _, at := range clocks() {
			for _, org := range []uuid.UUID{b.orgA.ID, b.orgB.ID} {
				checks = append(checks, &check{at: at, org: org})
			}
		}
		var wg sync.WaitGroup
		for _, c := range checks {
			wg.Go(func() {
				a := b.viewerA
				a.OrgID = c.org
				f, err := dashboard.NewServiceTTL(pool, 0).WithClock(func() time.Time { return c.at }).Fleet(ctx, a)
				if err == nil {
					c.got = countedOf(f)
					c.want, err = direct(pool, c.org, c.at)
				}
				c.err = err
			})
		}
		wg.Wait()
		for _, c := range checks {
			require.NoError(t, c.err)
			require.Equal(t, c.want, c.got, "round %d, clock %s", round, c.at)
		}
	}
	var rows int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices WHERE org_id IS NOT NULL`).Scan(&rows))
	require.Positive(t, rows, "the test ends with devices to count")
}
