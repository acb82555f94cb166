package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
)

// Unknown names the bucket of devices that have not reported a value (an
// empty software version or product class).
const Unknown = "Unknown"

// Fleet is the organization's CPE figures. Online, RecentlyOffline, Stale
// and NeverSeen partition Total, each matching one status of the device
// list (online, offline, stale, unknown).
type Fleet struct {
	AsOf            time.Time  // the instant the statuses were computed against
	Total           int        // every device of the organization
	Online          int        // last inform within cpe.OnlineWindow
	RecentlyOffline int        // last inform older than cpe.OnlineWindow, up to cpe.StaleAfter
	Stale           int        // last inform older than cpe.StaleAfter
	NeverSeen       int        // no inform yet (imported, never connected)
	Firmware        []Bucket   // by software version, most devices first
	Models          []Bucket   // by product class, most devices first
	FaultsByDay     []DayCount // faults raised per UTC day, oldest first, Days of them
}

// Offline is every device that is not online: recently offline, stale and
// never seen (the spec's "offline", so Total = Online + Offline).
func (f Fleet) Offline() int { return f.Total - f.Online }

// FirmwareCounts is devices per software version, those without one under
// Unknown (the spec's "firmwareCounts").
func (f Fleet) FirmwareCounts() map[string]int {
	out := make(map[string]int, len(f.Firmware))
	for _, b := range f.Firmware {
		out[b.Label()] += b.Count
	}
	return out
}

// Bucket is the devices sharing one firmware version or model.
type Bucket struct {
	Value  string // as stored; "" when the devices have not reported it
	Count  int
	Online int
}

// Label is the bucket's name for people: Unknown for an empty value.
func (b Bucket) Label() string {
	if b.Value == "" {
		return Unknown
	}
	return b.Value
}

// Fleet returns the actor's organization's CPE figures, at most the
// service's cache TTL old (see AsOf).
func (s *Service) Fleet(ctx context.Context, a actor.Actor) (Fleet, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Fleet{}, err
	}
	return s.cachedFleet(ctx, a.OrgID)
}

func (s *Service) cachedFleet(ctx context.Context, orgID uuid.UUID) (Fleet, error) {
	return s.cache.get(ctx, orgID, func(ctx context.Context) (Fleet, error) {
		return s.fleet(ctx, orgID, time.Now())
	})
}

func (s *Service) fleet(ctx context.Context, orgID uuid.UUID, now time.Time) (Fleet, error) {
	f := Fleet{AsOf: now.UTC()}
	// One pass over the organization's rows, grouped by (firmware, model):
	// a few dozen groups, rolled up here into totals, firmware and models.
	// The thresholds are the device list's status filter, bound as values
	// so the counts and the lists they link to agree.
	rows, err := s.pool.Query(ctx, `SELECT software_version, product_class, count(*),
			count(*) FILTER (WHERE last_inform_at > $2),
			count(*) FILTER (WHERE last_inform_at <= $2 AND last_inform_at > $3),
			count(*) FILTER (WHERE last_inform_at <= $3)
		FROM cpe_devices WHERE org_id = $1
		GROUP BY software_version, product_class`,
		orgID, now.Add(-cpe.OnlineWindow), now.Add(-cpe.StaleAfter))
	if err != nil {
		return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
	}
	firmware, models := map[string]*Bucket{}, map[string]*Bucket{}
	add := func(m map[string]*Bucket, v string, n, online int) {
		b := m[v]
		if b == nil {
			b = &Bucket{Value: v}
			m[v] = b
		}
		b.Count += n
		b.Online += online
	}
	for rows.Next() {
		var (
			fw, model                 string
			n, online, offline, stale int
		)
		if err := rows.Scan(&fw, &model, &n, &online, &offline, &stale); err != nil {
			rows.Close()
			return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
		}
		f.Total += n
		f.Online += online
		f.RecentlyOffline += offline
		f.Stale += stale
		f.NeverSeen += n - online - offline - stale
		add(firmware, fw, n, online)
		add(models, model, n, online)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
	}
	f.Firmware, f.Models = sorted(firmware), sorted(models)

	if f.FaultsByDay, err = s.faultsByDay(ctx, orgID, now); err != nil {
		return Fleet{}, err
	}
	return f, nil
}

// faultsByDay counts the organization's faults by the UTC day GenieACS
// raised them, whatever their status now.
func (s *Service) faultsByDay(ctx context.Context, orgID uuid.UUID, now time.Time) ([]DayCount, error) {
	start := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(Days - 1))
	// Every status is listed so the (org_id, status, raised_at) index is
	// read as three short ranges instead of all of the organization's
	// history; the list is the table's CHECK constraint.
	rows, err := s.pool.Query(ctx, `SELECT date_trunc('day', raised_at AT TIME ZONE 'UTC'), count(*)
		FROM cpe_faults
		WHERE org_id = $1 AND status IN ('active', 'resolved', 'cleared') AND raised_at >= $2
		GROUP BY 1`, orgID, start)
	if err != nil {
		return nil, fmt.Errorf("dashboard faults: %w", err)
	}
	return perDay(rows, start)
}

func sorted(m map[string]*Bucket) []Bucket {
	out := make([]Bucket, 0, len(m))
	for _, b := range m {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b Bucket) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out
}
