package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
)

// DayCount is a number of events on one day.
type DayCount struct {
	Day   time.Time `json:"day"`
	Count int       `json:"count"`
}

// Summary is the home page's data: the fleet first, then the
// organization's staff, integrations and recent activity.
type Summary struct {
	Fleet             Fleet       `json:"-" db:"-"`
	Users             int         `json:"users" db:"users"`
	ActiveAPIKeys     int         `json:"activeApiKeys" db:"active_api_keys"`
	WebhookEndpoints  int         `json:"webhookEndpoints" db:"webhook_endpoints"`
	FailedDeliveries  int         `json:"failedDeliveries24h" db:"failed_deliveries"`
	PendingDeliveries int         `json:"pendingDeliveries" db:"pending_deliveries"`
	Activity          []DayCount  `json:"activity" db:"-"` // audit rows per day, oldest first, 14 days
	Recent            []audit.Row `json:"recent" db:"-"`
}

// Service computes summaries.
type Service struct {
	pool  *pgxpool.Pool
	cache *fleetCache
	now   func() time.Time
	// thresholds judge the devices' statuses (WithThresholds).
	thresholds cpe.Thresholds
}

// NewService builds the service; fleet figures are kept DefaultCacheTTL.
func NewService(pool *pgxpool.Pool) *Service { return NewServiceTTL(pool, DefaultCacheTTL) }

// NewServiceTTL builds the service with fleet figures kept for ttl (0:
// computed for every call, concurrent calls sharing one computation).
func NewServiceTTL(pool *pgxpool.Pool, ttl time.Duration) *Service {
	return &Service{pool: pool, cache: &fleetCache{ttl: ttl, orgs: map[uuid.UUID]*fleetEntry{}}, now: time.Now,
		thresholds: cpe.DefaultThresholds()}
}

// WithThresholds makes the service judge statuses against t (a zero field
// keeps its default; the device list's, cpe.Service.WithThresholds, must
// be the same) instead of the spec's; call it where the service is built,
// before it serves. It returns s.
func (s *Service) WithThresholds(t cpe.Thresholds) *Service {
	s.thresholds = t.OrDefault()
	return s
}

// WithClock makes the service judge statuses against now() instead of the
// wall clock (tests of the thresholds); it returns s.
func (s *Service) WithClock(now func() time.Time) *Service {
	s.now = now
	return s
}

// Days is the width of the activity and fault charts.
const Days = 14

// Summary returns the actor's organization's figures.
func (s *Service) Summary(ctx context.Context, a actor.Actor) (Summary, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Summary{}, err
	}
	fleet, err := s.cachedFleet(ctx, a.OrgID)
	if err != nil {
		return Summary{}, err
	}
	sum, err := db.One[Summary](ctx, s.pool, `SELECT
			(SELECT count(*) FROM users WHERE org_id = $1 AND NOT disabled) AS users,
			(SELECT count(*) FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL) AS active_api_keys,
			(SELECT count(*) FROM webhook_endpoints WHERE org_id = $1 AND enabled) AS webhook_endpoints,
			(SELECT count(*) FROM webhook_deliveries WHERE org_id = $1 AND status = 'failed' AND updated_at > now() - interval '24 hours') AS failed_deliveries,
			(SELECT count(*) FROM webhook_deliveries WHERE org_id = $1 AND status = 'pending') AS pending_deliveries`, a.OrgID)
	if err != nil {
		return Summary{}, fmt.Errorf("dashboard counts: %w", err)
	}
	sum.Fleet = fleet

	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(Days - 1))
	rows, err := s.pool.Query(ctx, `SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) AS n
		FROM audit_log WHERE org_id = $1 AND created_at >= $2 GROUP BY 1`, a.OrgID, start)
	if err != nil {
		return Summary{}, fmt.Errorf("dashboard activity: %w", err)
	}
	if sum.Activity, err = perDay(rows, start); err != nil {
		return Summary{}, fmt.Errorf("dashboard activity: %w", err)
	}

	recent, err := audit.List(ctx, s.pool, a, audit.Filter{Limit: 8})
	if err != nil {
		return Summary{}, err
	}
	sum.Recent = recent.Rows
	return sum, nil
}

// perDay spreads rows of day and n (a count) over the Days days from
// start, zeros included.
func perDay(rows pgx.Rows, start time.Time) ([]DayCount, error) {
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		Day time.Time `db:"day"`
		N   int       `db:"n"`
	}])
	if err != nil {
		return nil, err
	}
	byDay := map[time.Time]int{}
	for _, c := range counts {
		byDay[c.Day.UTC()] = c.N
	}
	out := make([]DayCount, Days)
	for i := range out {
		d := start.AddDate(0, 0, i)
		out[i] = DayCount{Day: d, Count: byDay[d]}
	}
	return out, nil
}
