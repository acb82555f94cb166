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
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
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
			_, err := cpetest.Insert(ctx, pool, cpetest.Device{OrgID: orgs[rng.IntN(3)], Serial: fmt.Sprintf("RAND%08d", serial),
				SoftwareVersion: firmware[rng.IntN(len(firmware))], ProductClass: models[rng.IntN(len(models))], LastInformAt: inform()})
			require.NoError(t, err)
		}
	}
	// Each device of the table with probability p, picked at random.
	pick := func(p float64) []cpetest.Stored {
		all, err := cpetest.All(ctx, pool)
		require.NoError(t, err)
		var out []cpetest.Stored
		for _, d := range all {
			if rng.Float64() < p {
				out = append(out, d)
			}
		}
		return out
	}
	ids := func(ds []cpetest.Stored) []uuid.UUID {
		out := make([]uuid.UUID, len(ds))
		for i, d := range ds {
			out[i] = d.ID
		}
		return out
	}
	write := func() {
		switch rng.IntN(7) {
		case 0:
			insert(1 + rng.IntN(30))
		case 1: // informs, one device at a time, then one statement for many devices (as the sync's upsert)
			for _, d := range pick(0.2) {
				require.NoError(t, cpetest.SetLastInform(ctx, pool, []uuid.UUID{d.ID}, inform()))
			}
			require.NoError(t, cpetest.ShiftLastInform(ctx, pool, ids(pick(0.3)), 37*time.Second))
		case 2: // firmware upgrades and model corrections
			require.NoError(t, cpetest.SetSoftwareVersion(ctx, pool, ids(pick(0.2)), firmware[rng.IntN(len(firmware))]))
			require.NoError(t, cpetest.SetProductClass(ctx, pool, ids(pick(0.1)), models[rng.IntN(len(models))]))
		case 3: // claims and releases
			for _, d := range pick(0.2) {
				require.NoError(t, cpetest.SetOrg(ctx, pool, []uuid.UUID{d.ID}, orgs[rng.IntN(3)]))
			}
		case 4: // the sync's upsert: new devices and changed ones in one statement
			var ds []cpetest.Device
			for _, d := range pick(0.3) {
				changed := cpetest.Device{OrgID: d.OrgID, Serial: d.Serial, SoftwareVersion: "V2", ProductClass: d.ProductClass}
				if d.LastInformAt != nil {
					at := d.LastInformAt.Add(3 * time.Minute)
					changed.LastInformAt = &at
				}
				ds = append(ds, changed)
			}
			serial++
			at := time.Now()
			ds = append(ds, cpetest.Device{OrgID: orgs[rng.IntN(3)], Serial: fmt.Sprintf("RAND%08d", serial), SoftwareVersion: "V1",
				ProductClass: "F660", LastInformAt: &at})
			_, _, err := cpetest.Upsert(ctx, pool, ds)
			require.NoError(t, err)
		case 5:
			require.NoError(t, cpetest.Delete(ctx, pool, ids(pick(0.1))))
		case 6:
			_, err := dashboard.Compact(ctx, pool, th, now.Add(time.Duration(rng.Int64N(int64(60*24*time.Hour)))))
			require.NoError(t, err)
		}
	}
	// The clocks to judge at: now, and on and beside both thresholds of a
	// few devices' last informs.
	clocks := func() []time.Time {
		out := []time.Time{now, now.Add(time.Duration(rng.Int64N(int64(3 * time.Hour))))}
		all, err := cpetest.All(ctx, pool)
		require.NoError(t, err)
		var informed []time.Time
		for _, d := range all {
			if d.LastInformAt != nil {
				informed = append(informed, *d.LastInformAt)
			}
		}
		rng.Shuffle(len(informed), func(i, j int) { informed[i], informed[j] = informed[j], informed[i] })
		for _, at := range informed[:min(3, len(informed))] {
			for _, d := range []time.Duration{th.Online, th.Stale} {
				out = append(out, at.Add(d), at.Add(d).Add(-time.Microsecond), at.Add(d).Add(time.Microsecond))
			}
		}
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
