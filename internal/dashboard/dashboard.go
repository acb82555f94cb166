// Package dashboard gathers the figures on the organization's home page.
// Every figure is scoped to the actor's organization.
package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
)

// DayCount is a number of events on one day.
type DayCount struct {
	Day   time.Time `json:"day"`
	Count int       `json:"count"`
}

// Summary is the home page's data.
type Summary struct {
	Users             int         `json:"users"`
	ActiveAPIKeys     int         `json:"activeApiKeys"`
	WebhookEndpoints  int         `json:"webhookEndpoints"`
	FailedDeliveries  int         `json:"failedDeliveries24h"`
	PendingDeliveries int         `json:"pendingDeliveries"`
	Activity          []DayCount  `json:"activity"` // audit rows per day, oldest first, 14 days
	Recent            []audit.Row `json:"recent"`
}

// Service computes summaries.
type Service struct{ pool *pgxpool.Pool }

// NewService builds the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Days is the width of the activity chart.
const Days = 14

// Summary returns the actor's organization's figures.
func (s *Service) Summary(ctx context.Context, a actor.Actor) (Summary, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Summary{}, err
	}
	var sum Summary
	err := s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM users WHERE org_id = $1 AND NOT disabled),
			(SELECT count(*) FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL),
			(SELECT count(*) FROM webhook_endpoints WHERE org_id = $1 AND enabled),
			(SELECT count(*) FROM webhook_deliveries WHERE org_id = $1 AND status = 'failed' AND updated_at > now() - interval '24 hours'),
			(SELECT count(*) FROM webhook_deliveries WHERE org_id = $1 AND status = 'pending')`, a.OrgID).
		Scan(&sum.Users, &sum.ActiveAPIKeys, &sum.WebhookEndpoints, &sum.FailedDeliveries, &sum.PendingDeliveries)
	if err != nil {
		return Summary{}, fmt.Errorf("dashboard counts: %w", err)
	}

	today := time.Now().UTC().Truncate(24 * time.Hour)
	start := today.AddDate(0, 0, -(Days - 1))
	rows, err := s.pool.Query(ctx, `SELECT date_trunc('day', created_at AT TIME ZONE 'UTC'), count(*)
		FROM audit_log WHERE org_id = $1 AND created_at >= $2 GROUP BY 1`, a.OrgID, start)
	if err != nil {
		return Summary{}, fmt.Errorf("dashboard activity: %w", err)
	}
	byDay := map[time.Time]int{}
	for rows.Next() {
		var (
			d time.Time
			n int
		)
		if err := rows.Scan(&d, &n); err != nil {
			rows.Close()
			return Summary{}, err
		}
		byDay[d.UTC()] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Summary{}, err
	}
	for i := range Days {
		d := start.AddDate(0, 0, i)
		sum.Activity = append(sum.Activity, DayCount{Day: d, Count: byDay[d]})
	}

	recent, err := audit.List(ctx, s.pool, a, audit.Filter{Limit: 8})
	if err != nil {
		return Summary{}, err
	}
	sum.Recent = recent.Rows
	return sum, nil
}
