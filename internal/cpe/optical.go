package cpe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
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
	PONPort      string     `json:"ponPort,omitempty" db:"pon_port"`
}

// OpticalFilter selects readings: Status "alarm" (default: weak, critical
// or overload) or "all" (every device with a reading); PONPort one OLT
// port's ONTs (exact, as recorded).
type OpticalFilter struct {
	Status  string
	PONPort string
	After   string // keyset cursor from a previous page
	Limit   int    // default 100, max 500
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
	if len(f.PONPort) > 64 {
		errs.Add("ponPort", "must be at most 64 characters")
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
	if f.PONPort != "" {
		args = append(args, f.PONPort)
		where += fmt.Sprintf(` AND d.pon_port = $%d`, len(args))
	}
	if cur != nil {
		args = append(args, cur.Rx, cur.ID)
		where += fmt.Sprintf(` AND (d.optical_rx_dbm, d.id) > ($%d::real, $%d::uuid)`, len(args)-1, len(args))
	}
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.serial_norm, d.product_class, COALESCE(s.username, '') AS subscriber,
			d.optical_rx_dbm, d.optical_tx_dbm, d.optical_level, d.optical_level_at, d.last_inform_at,
			COALESCE(d.pon_port, '') AS pon_port
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

// OpticalPort is one PON port with ONTs in optical alarm: most of a port's
// ONTs in alarm at once points at the feeder fibre, a splitter or the OLT
// port, not at the homes.
type OpticalPort struct {
	PONPort string `json:"ponPort" db:"pon_port"`
	// Alarm counts the port's ONTs in alarm (Critical, Overload and Weak
	// of them), Devices every ONT on the port with a reading.
	Alarm    int `json:"alarm" db:"alarm"`
	Critical int `json:"critical" db:"critical"`
	Overload int `json:"overload" db:"overload"`
	Weak     int `json:"weak" db:"weak"`
	Devices  int `json:"devices" db:"devices"`
	// WeakestDBm is the lowest received level among those in alarm; Since
	// when the earliest of their alarms began.
	WeakestDBm float32   `json:"weakestDbm" db:"weakest"`
	Since      time.Time `json:"since" db:"since"`
}

// MaxOpticalPorts bounds OpticalPorts' answer.
const MaxOpticalPorts = 100

// OpticalPorts lists the PON ports (as recorded on the devices) with ONTs
// in optical alarm, those with the most first, then the largest share of
// the port: a fibre cut shows as one port with most of its ONTs in alarm.
// It reads the devices in alarm (a partial index) and counts each such
// port's ONTs (an index on the port), never the whole fleet. truncated is
// true when more than MaxOpticalPorts ports are in alarm.
func (s *Service) OpticalPorts(ctx context.Context, a actor.Actor) (ports []OpticalPort, truncated bool, err error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, false, err
	}
	rows, err := s.pool.Query(ctx, `WITH hit AS (
			SELECT pon_port, count(*) AS alarm,
				count(*) FILTER (WHERE optical_level = 'critical') AS critical,
				count(*) FILTER (WHERE optical_level = 'overload') AS overload,
				count(*) FILTER (WHERE optical_level = 'weak') AS weak,
				min(optical_rx_dbm) AS weakest, min(COALESCE(optical_level_at, updated_at)) AS since
			FROM cpe_devices
			WHERE org_id = $1 AND optical_level IN `+OpticalAlarmLevels+` AND pon_port IS NOT NULL
			GROUP BY pon_port ORDER BY count(*) DESC, pon_port LIMIT $2)
		, counted AS (SELECT h.*, (SELECT count(*) FROM cpe_devices d
				WHERE d.org_id = $1 AND d.pon_port = h.pon_port AND d.optical_rx_dbm IS NOT NULL) AS devices FROM hit h)
		SELECT * FROM counted ORDER BY alarm DESC, alarm::float8 / GREATEST(devices, 1) DESC, pon_port`,
		a.OrgID, MaxOpticalPorts+1)
	if err != nil {
		return nil, false, fmt.Errorf("optical ports: %w", err)
	}
	ports, err = pgx.CollectRows(rows, pgx.RowToStructByName[OpticalPort])
	if err != nil {
		return nil, false, fmt.Errorf("optical ports: %w", err)
	}
	if len(ports) > MaxOpticalPorts {
		return ports[:MaxOpticalPorts], true, nil
	}
	return ports, false, nil
}

// SetPONPort records the OLT port a device hangs off ("" forgets it),
// audited.
func (s *Service) SetPONPort(ctx context.Context, a actor.Actor, id uuid.UUID, port string) (Device, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return Device{}, err
	}
	port = strings.TrimSpace(port)
	if !modelRE.MatchString(port) {
		return Device{}, validation.Errors{"ponPort": "must be at most 64 printable characters"}
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var serial, old string
		err := tx.QueryRow(ctx, `SELECT serial_norm, COALESCE(pon_port, '') FROM cpe_devices WHERE org_id = $1 AND id = $2 FOR UPDATE`,
			a.OrgID, id).Scan(&serial, &old)
		if errors.Is(err, pgx.ErrNoRows) {
			return db.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("set PON port: %w", err)
		}
		if old == port {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE cpe_devices SET pon_port = NULLIF($3, ''), updated_at = now() WHERE org_id = $1 AND id = $2`,
			a.OrgID, id, port); err != nil {
			return fmt.Errorf("set PON port: %w", err)
		}
		say := func(v string) string {
			if v == "" {
				return "none"
			}
			return fmt.Sprintf("%q", v)
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.pon_port", TargetType: "cpe", TargetID: id.String(),
			Summary: fmt.Sprintf("PON port of %s: %s, was %s", serial, say(port), say(old))})
	})
	if err != nil {
		return Device{}, err
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}
