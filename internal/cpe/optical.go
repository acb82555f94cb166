package cpe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/validation"
)

// OpticalReading is one device's optical levels as the sync last read them.
type OpticalReading struct {
	DeviceID     uuid.UUID  `json:"deviceId" db:"id"`
	Serial       string     `json:"serial" db:"serial_norm"`
	ProductClass string     `json:"productClass" db:"product_class"`
	Subscriber   string     `json:"subscriber,omitempty" db:"subscriber"`
	RxDBm        float32    `json:"rxDbm" db:"optical_rx_dbm"`
	TxDBm        *float32   `json:"txDbm,omitempty" db:"optical_tx_dbm"`
	Level        string     `json:"level" db:"optical_level"`
	Since        *time.Time `json:"since,omitempty" db:"optical_level_at"`
	LastInformAt *time.Time `json:"lastInformAt,omitempty" db:"last_inform_at"`
}

// OpticalFilter selects readings: Status "alarm" (default: weak, critical
// or overload) or "all" (every device with a reading).
type OpticalFilter struct {
	Status string
	After  string // keyset cursor from a previous page
	Limit  int    // default 100, max 500
}

// OpticalPage is a page of readings, weakest received level first.
type OpticalPage struct {
	Items []OpticalReading `json:"items"`
	Next  string           `json:"next,omitempty"`
}

type opticalCursor struct {
	Rx float32   `json:"r"`
	ID uuid.UUID `json:"i"`
}

// Optical lists the organization's optical readings, weakest first: a
// fibre cut shows as many devices at once at the top.
func (s *Service) Optical(ctx context.Context, a actor.Actor, f OpticalFilter) (OpticalPage, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return OpticalPage{}, err
	}
	errs := validation.Errors{}
	switch f.Status {
	case "":
		f.Status = "alarm"
	case "alarm", "all":
	default:
		errs.Add("status", "must be alarm or all")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		errs.Add("limit", "must be between 1 and 500")
	}
	var cur *opticalCursor
	if f.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(f.After)
		cur = &opticalCursor{}
		if err != nil || json.Unmarshal(raw, cur) != nil {
			errs.Add("after", "is not a cursor from a previous page")
		}
	}
	if err := errs.Err(); err != nil {
		return OpticalPage{}, err
	}
	where := `d.org_id = $1 AND d.optical_rx_dbm IS NOT NULL AND d.optical_level IS NOT NULL`
	if f.Status == "alarm" {
		where += ` AND d.optical_level IN ` + OpticalAlarmLevels
	}
	args := []any{a.OrgID, f.Limit + 1}
	if cur != nil {
		where += ` AND (d.optical_rx_dbm, d.id) > ($3::real, $4::uuid)`
		args = append(args, cur.Rx, cur.ID)
	}
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.serial_norm, d.product_class, COALESCE(s.username, '') AS subscriber,
			d.optical_rx_dbm, d.optical_tx_dbm, d.optical_level, d.optical_level_at, d.last_inform_at
		FROM cpe_devices d LEFT JOIN subscribers s ON s.id = d.subscriber_id AND s.org_id = d.org_id
		WHERE `+where+` ORDER BY d.optical_rx_dbm, d.id LIMIT $2`, args...)
	if err != nil {
		return OpticalPage{}, fmt.Errorf("optical readings: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[OpticalReading])
	if err != nil {
		return OpticalPage{}, fmt.Errorf("optical readings: %w", err)
	}
	p := OpticalPage{Items: items}
	if len(items) > f.Limit {
		p.Items = items[:f.Limit]
		last := p.Items[f.Limit-1]
		b, _ := json.Marshal(opticalCursor{Rx: last.RxDBm, ID: last.DeviceID})
		p.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// OpticalGroup counts the organization's devices in one optical alarm
// level of one model.
type OpticalGroup struct {
	Level        string `json:"level" db:"optical_level"`
	ProductClass string `json:"productClass" db:"product_class"`
	Count        int    `json:"count" db:"count"`
}

// OpticalGroups counts the devices in optical alarm by level (critical,
// overload, weak) and model, largest first within a level: the fault
// board's Signal group.
func (s *Service) OpticalGroups(ctx context.Context, a actor.Actor) ([]OpticalGroup, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT optical_level, product_class, count(*) AS count FROM cpe_devices
		WHERE org_id = $1 AND optical_level IN `+OpticalAlarmLevels+`
		GROUP BY 1, 2 ORDER BY array_position(ARRAY['critical', 'overload', 'weak'], optical_level), count(*) DESC, 2 LIMIT 200`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("optical groups: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[OpticalGroup])
}
