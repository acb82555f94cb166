package cpe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Device is one CPE as the service knows it.
type Device struct {
	ID              uuid.UUID  `json:"id" db:"id"`
	Serial          string     `json:"serial" db:"serial_norm"`    // label form (normalised)
	ReportedSerial  string     `json:"reportedSerial" db:"serial"` // as the device reports it
	OUI             string     `json:"oui" db:"oui"`
	ProductClass    string     `json:"productClass" db:"product_class"`
	Manufacturer    string     `json:"manufacturer" db:"manufacturer"`
	DataModel       string     `json:"dataModel" db:"data_model"`
	GenieACSID      string     `json:"genieacsId,omitempty" db:"genieacs_id"`
	SoftwareVersion string     `json:"softwareVersion" db:"software_version"`
	Tags            []string   `json:"tags" db:"tags"`
	Source          string     `json:"source" db:"source"` // inventory or discovered
	SubscriberID    *uuid.UUID `json:"subscriberId,omitempty" db:"subscriber_id"`
	Subscriber      string     `json:"subscriber,omitempty" db:"subscriber"` // username
	SubscriberName  string     `json:"subscriberName,omitempty" db:"subscriber_name"`
	Plan            string     `json:"plan,omitempty" db:"plan"`
	PlanGroup       string     `json:"planGroup,omitempty" db:"plan_group"`
	// LineUsername is the device's own PPPoE username when the
	// subscriber's plan allows several devices and this is a further one
	// (its password is never shown); "" when it dials with the
	// subscription's.
	LineUsername    string     `json:"linePppoeUsername,omitempty" db:"line_username"`
	Status          string     `json:"status" db:"-"` // online, offline, stale, unknown: derived (Thresholds.Status)
	FirstContactAt  *time.Time `json:"firstContactAt,omitempty" db:"first_contact_at"`
	LastInformAt    *time.Time `json:"lastInformAt,omitempty" db:"last_inform_at"`
	PushState       string     `json:"pushState" db:"push_state"` // "", pending, done, failed
	PushError       string     `json:"pushError,omitempty" db:"push_error"`
	PushRequestedAt *time.Time `json:"pushRequestedAt,omitempty" db:"push_requested_at"`
	PushedAt        *time.Time `json:"pushedAt,omitempty" db:"pushed_at"`
	CreatedAt       time.Time  `json:"createdAt" db:"created_at"`
	// GenieACSDeletedAt is when a full sync pass last found the device
	// gone from GenieACS (cleared when it informs again).
	GenieACSDeletedAt *time.Time `json:"genieacsDeletedAt,omitempty" db:"genieacs_deleted_at"`
	// Capabilities are what the device can do, judged from its tree by
	// the sync: a key per capability it has, true when writable; null
	// until GenieACS has discovered its objects (nothing is refused then).
	Capabilities datamodel.Caps `json:"capabilities" db:"capabilities"`
	// A GPON ONT's optical levels (dBm) as the sync last read them, the
	// received one judged against the organization's thresholds (good,
	// weak, critical, overload) since OpticalLevelAt.
	OpticalRxDBm   *float32   `json:"opticalRxDbm,omitempty" db:"optical_rx_dbm"`
	OpticalTxDBm   *float32   `json:"opticalTxDbm,omitempty" db:"optical_tx_dbm"`
	OpticalLevel   string     `json:"opticalLevel,omitempty" db:"optical_level"`
	OpticalLevelAt *time.Time `json:"opticalLevelAt,omitempty" db:"optical_level_at"`
	// PONPort is the OLT port the ONT hangs off, as the ISP recorded it
	// (inventory, API, device page); "" when not recorded.
	PONPort string `json:"ponPort,omitempty" db:"pon_port"`
}

// OpticalAlarmLevels are the optical levels in alarm, as an SQL list (the
// partial index cpe_devices_optical_alarm_idx is on them).
const OpticalAlarmLevels = `('weak', 'critical', 'overload')`

// Thresholds are the online and stale thresholds: a device is offline when
// its last inform is older than Online and stale when older than Stale
// (spec: 10 minutes and an hour; OFFLINE_AFTER and STALE_AFTER change
// them). The services that judge a device's status hold one, set where
// they are built, and pages are given the one their figures were judged
// against.
type Thresholds struct {
	Online time.Duration
	Stale  time.Duration
}

// The spec's thresholds.
const (
	DefaultOnline = 10 * time.Minute
	DefaultStale  = time.Hour
)

// DefaultThresholds are the spec's thresholds.
func DefaultThresholds() Thresholds { return Thresholds{Online: DefaultOnline, Stale: DefaultStale} }

// OrDefault returns t with a zero field at its default.
func (t Thresholds) OrDefault() Thresholds {
	if t.Online <= 0 {
		t.Online = DefaultOnline
	}
	if t.Stale <= 0 {
		t.Stale = DefaultStale
	}
	return t
}

// HumanDuration writes d for people: "1 hour", "10 minutes", else Go's
// form ("90s").
func HumanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "1 hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "1 minute"
		}
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return d.String()
}

// Status derives a device's status from its last inform: online, offline,
// stale or unknown (never informed).
func (t Thresholds) Status(last *time.Time, now time.Time) string {
	switch {
	case last == nil:
		return "unknown"
	case now.Sub(*last) <= t.Online:
		return "online"
	case now.Sub(*last) <= t.Stale:
		return "offline"
	}
	return "stale"
}

// deviceColumns are read into a Device by name (its db tags); the
// subscriber's and plan's are aliased to their field's column.
const deviceColumns = `d.id, d.serial_norm, d.serial, d.oui, d.product_class, d.manufacturer, d.data_model,
	COALESCE(d.genieacs_id, '') AS genieacs_id, d.software_version, d.tags, d.source, d.subscriber_id,
	COALESCE(s.username, '') AS subscriber, COALESCE(s.name, '') AS subscriber_name,
	COALESCE(p.name, '') AS plan, COALESCE(p.genieacs_group, '') AS plan_group,
	d.first_contact_at, d.last_inform_at, d.push_state, d.push_error, d.push_requested_at, d.pushed_at, d.created_at,
	d.genieacs_deleted_at, d.line_username, d.capabilities, d.optical_rx_dbm, d.optical_tx_dbm,
	COALESCE(d.optical_level, '') AS optical_level, d.optical_level_at, COALESCE(d.pon_port, '') AS pon_port`

const deviceJoins = `
	LEFT JOIN subscribers s ON s.id = d.subscriber_id AND s.org_id = d.org_id
	LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
	LEFT JOIN plans p ON p.id = sub.plan_id`

// scanDevices reads rows of deviceColumns by name, judging each device's
// status against th at now (nil when there is none).
func scanDevices(rows pgx.Rows, th Thresholds, now time.Time) ([]Device, error) {
	out, err := pgx.AppendRows([]Device(nil), rows, pgx.RowToStructByName[Device])
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Status = th.Status(out[i].LastInformAt, now)
	}
	return out, nil
}

// Get returns one device of the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Device, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Device{}, err
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}

// Detail is a device with the latest audit rows about it.
type Detail struct {
	Device
	RecentActions []audit.Row `json:"recentActions"`
	// IdentityConflicts are the device's open identity conflicts.
	IdentityConflicts []IdentityConflict `json:"identityConflicts"`
}

// GetDetail returns one device with its ten most recent actions.
func (s *Service) GetDetail(ctx context.Context, a actor.Actor, id uuid.UUID) (Detail, error) {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return Detail{}, err
	}
	recent, err := audit.List(ctx, s.pool, a, audit.Filter{TargetType: "cpe", TargetID: id.String(), Limit: 10})
	if err != nil {
		return Detail{}, err
	}
	conflicts, err := s.deviceConflicts(ctx, s.pool, a.OrgID, id)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Device: d, RecentActions: append([]audit.Row{}, recent.Rows...), IdentityConflicts: conflicts}, nil
}

func (s *Service) get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (Device, error) {
	return s.one(ctx, exec, `d.org_id = $1 AND d.id = $2`, orgID, id)
}

// one reads the single device matching where (ErrNotFound when none).
func (s *Service) one(ctx context.Context, exec db.Executor, where string, args ...any) (Device, error) {
	rows, err := exec.Query(ctx, `SELECT `+deviceColumns+` FROM cpe_devices d `+deviceJoins+` WHERE `+where, args...)
	if err != nil {
		return Device{}, fmt.Errorf("get device: %w", err)
	}
	ds, err := scanDevices(rows, s.thresholds, time.Now())
	if err != nil {
		return Device{}, err
	}
	if len(ds) == 0 {
		return Device{}, db.ErrNotFound
	}
	return ds[0], nil
}

// Sorts a listing accepts.
const (
	SortSerial     = "serial"
	SortLastInform = "last_inform"
	SortNewest     = "newest"
)

// Filter narrows a device listing. Empty fields match everything.
type Filter struct {
	Serial     string // prefix; label or Huawei hex form
	Subscriber string // username prefix
	Model      string // product class, exact
	Firmware   string // software version, exact
	Tag        string // exact
	PONPort    string // exact: the OLT port as recorded
	Status     string // online, offline, stale, unknown, pending_push, deleted_in_genieacs, optical_alarm
	Sort       string // serial (default), last_inform, newest
	After      string // keyset cursor from a previous page
	Limit      int    // default 50, max 500
}

// Page is a page of devices; Next is the cursor of the following page.
type Page struct {
	Items []Device `json:"items"`
	Next  string   `json:"next,omitempty"`
	// Total counts every match, where the list knows it cheaply (pending).
	Total *int `json:"total,omitempty"`
}

// cursor is the position after the last row of a page.
type cursor struct {
	K string    `json:"k,omitempty"` // serial
	T time.Time `json:"t,omitempty"` // last inform or created
	N bool      `json:"n,omitempty"` // last inform was NULL
	I uuid.UUID `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	return c, err
}

var (
	serialPrefixRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
	statuses       = map[string]bool{"online": true, "offline": true, "stale": true, "unknown": true, "pending_push": true,
		"deleted_in_genieacs": true, "optical_alarm": true}
)

// NormalizeSerialPrefix turns a typed serial prefix into the label form's
// prefix: a Huawei hex prefix of at least 8 digits is converted like a full
// serial (48575443A1 → HWTCA1).
func NormalizeSerialPrefix(p string) string {
	p = strings.ToUpper(strings.TrimSpace(p))
	if len(p) >= 8 && len(p) <= 16 && hexPrefix.MatchString(p) {
		if v := NormalizeSerial(p + strings.Repeat("0", 16-len(p))); !strings.HasPrefix(v, p[:8]) {
			return v[:4] + p[8:]
		}
	}
	return p
}

var hexPrefix = regexp.MustCompile(`^[0-9A-F]+$`)

// ValidateFilter checks a filter, naming the fields that are wrong.
func (f *Filter) validate() error {
	errs := validation.Errors{}
	if f.Serial != "" && !serialPrefixRE.MatchString(strings.TrimSpace(f.Serial)) {
		errs.Add("serial", "must be letters, digits, '.', '_', ':' or '-'")
	}
	if len(f.PONPort) > 64 {
		errs.Add("pon_port", "must be at most 64 characters")
	}
	if f.Status != "" && !statuses[f.Status] {
		errs.Add("status", "must be online, offline, stale, unknown, pending_push, deleted_in_genieacs or optical_alarm")
	}
	switch f.Sort {
	case "", SortSerial, SortLastInform, SortNewest:
	default:
		errs.Add("sort", "must be serial, last_inform or newest")
	}
	if f.Limit < 0 || f.Limit > 500 {
		errs.Add("limit", "must be between 1 and 500")
	}
	if f.After != "" {
		if _, err := decodeCursor(f.After); err != nil {
			errs.Add("after", "is not a cursor from a previous page")
		}
	}
	return errs.Err()
}

// conditions are the filter's WHERE terms (the organization's is the
// caller's $1); arg binds a value and returns its placeholder.
func (f Filter) conditions(th Thresholds, now time.Time, arg func(any) string) []string {
	var out []string
	if f.Serial != "" {
		out = append(out, "d.serial_norm LIKE "+arg(serialPattern(f.Serial)))
	}
	if f.Subscriber != "" {
		out = append(out, "d.subscriber_id IN (SELECT id FROM subscribers WHERE org_id = $1 AND username LIKE "+
			arg(escapeLike(strings.TrimSpace(f.Subscriber))+"%")+")")
	}
	if f.Model != "" {
		out = append(out, "d.product_class = "+arg(f.Model))
	}
	if f.Firmware != "" {
		out = append(out, "d.software_version = "+arg(f.Firmware))
	}
	if f.Tag != "" {
		out = append(out, "d.tags @> ARRAY["+arg(f.Tag)+"]::text[]")
	}
	if f.PONPort != "" {
		out = append(out, "d.pon_port = "+arg(f.PONPort))
	}
	switch f.Status {
	case "online":
		out = append(out, "d.last_inform_at > "+arg(now.Add(-th.Online)))
	case "offline":
		out = append(out, "d.last_inform_at <= "+arg(now.Add(-th.Online))+" AND d.last_inform_at > "+arg(now.Add(-th.Stale)))
	case "stale":
		out = append(out, "d.last_inform_at <= "+arg(now.Add(-th.Stale)))
	case "unknown":
		out = append(out, "d.last_inform_at IS NULL")
	case "pending_push":
		out = append(out, "d.push_state = 'pending'")
	case "deleted_in_genieacs":
		out = append(out, "d.genieacs_deleted_at IS NOT NULL")
	case "optical_alarm":
		out = append(out, "d.optical_level IN "+OpticalAlarmLevels)
	}
	return out
}

// Count returns how many of the organization's devices match f (its
// cursor, sort and limit aside).
func (s *Service) Count(ctx context.Context, a actor.Actor, f Filter) (int, error) {
	n, _, err := s.CountUpTo(ctx, a, f, 0)
	return n, err
}

// CountUpTo counts like Count but stops past limit (0: no limit): a list's
// total for filters the maintained counts do not keep, bounded so a broad
// search never counts a whole national fleet. exact is false when there
// are more than limit (n is then limit).
func (s *Service) CountUpTo(ctx context.Context, a actor.Actor, f Filter, limit int) (n int, exact bool, err error) {
	if err := a.Require(actor.PermRead); err != nil {
		return 0, false, err
	}
	f.After, f.Limit = "", 0
	if err := f.validate(); err != nil {
		return 0, false, err
	}
	args := []any{a.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := strings.Join(append([]string{"d.org_id = $1"}, f.conditions(s.thresholds, time.Now(), arg)...), " AND ")
	if limit <= 0 {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices d WHERE `+where, args...).Scan(&n)
		return n, err == nil, err
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM cpe_devices d WHERE `+where+` LIMIT `+arg(limit+1)+`) m`, args...).Scan(&n)
	if n > limit {
		return limit, false, err
	}
	return n, err == nil, err
}

// List returns the actor's organization's devices matching f, keyset-paged
// on the sort key and id (no OFFSET), one query with the subscriber and
// plan joined (no N+1).
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Page{}, err
	}
	if err := f.validate(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	now := time.Now()
	where := []string{"d.org_id = $1"}
	args := []any{a.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where = append(where, f.conditions(s.thresholds, now, arg)...)
	var order string
	var after cursor
	if f.After != "" {
		after, _ = decodeCursor(f.After)
	}
	switch f.Sort {
	case SortLastInform:
		order = "d.last_inform_at DESC NULLS LAST, d.id"
		if f.After != "" {
			if after.N {
				where = append(where, "(d.last_inform_at IS NULL AND d.id > "+arg(after.I)+")")
			} else {
				t, i := arg(after.T), arg(after.I)
				where = append(where, "(d.last_inform_at < "+t+" OR d.last_inform_at IS NULL OR (d.last_inform_at = "+t+" AND d.id > "+i+"))")
			}
		}
	case SortNewest:
		order = "d.created_at DESC, d.id DESC"
		if f.After != "" {
			where = append(where, "(d.created_at, d.id) < ("+arg(after.T)+", "+arg(after.I)+")")
		}
	default:
		order = "d.serial_norm, d.id"
		if f.After != "" {
			where = append(where, "d.serial_norm > "+arg(after.K))
		}
	}
	q := `SELECT ` + deviceColumns + ` FROM cpe_devices d ` + deviceJoins + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + arg(f.Limit+1)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list devices: %w", err)
	}
	items, err := scanDevices(rows, s.thresholds, now)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if len(items) > f.Limit {
		p.Items = items[:f.Limit]
		last := p.Items[f.Limit-1]
		c := cursor{K: last.Serial, I: last.ID}
		switch f.Sort {
		case SortLastInform:
			if last.LastInformAt == nil {
				c.N = true
			} else {
				c.T = *last.LastInformAt
			}
		case SortNewest:
			c.T = last.CreatedAt
		}
		p.Next = c.encode()
	}
	return p, nil
}

// Facets lists the models and firmware versions present, for filters.
func (s *Service) Facets(ctx context.Context, a actor.Actor) (models, firmware []string, err error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, nil, err
	}
	// Loose index scans on (org_id, product_class…) and (org_id,
	// software_version…): one probe per distinct value.
	distinct := func(col string) ([]string, error) {
		rows, err := s.pool.Query(ctx, fmt.Sprintf(`
			WITH RECURSIVE t(v) AS (
				(SELECT %[1]s FROM cpe_devices WHERE org_id = $1 ORDER BY %[1]s LIMIT 1)
				UNION ALL
				SELECT (SELECT %[1]s FROM cpe_devices WHERE org_id = $1 AND %[1]s > t.v ORDER BY %[1]s LIMIT 1) FROM t WHERE t.v IS NOT NULL
			) SELECT v FROM t WHERE v IS NOT NULL AND v <> ''`, col), a.OrgID)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if models, err = distinct("product_class"); err != nil {
		return nil, nil, err
	}
	firmware, err = distinct("software_version")
	return models, firmware, err
}

// serialPattern is the LIKE pattern of a serial search: anywhere in the
// label form (a Huawei hex prefix is read as its vendor letters), served
// by the trigram index.
func serialPattern(q string) string {
	return "%" + escapeLike(NormalizeSerialPrefix(strings.TrimSpace(q))) + "%"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrAlreadyClaimed is the loser of a claim race within one organization
// (409): the device is already the actor's organization's. A device another
// organization has is not found, as an unknown id is.
var ErrAlreadyClaimed = errors.New("this device has just been claimed")

// ErrSerialUnavailable is the row error of a serial that is registered
// elsewhere: it says no more than that it cannot be registered here.
const ErrSerialUnavailable = "cannot be registered here; ask the operator if this device is yours"

// Pending lists devices no organization owns yet, newest first. Only
// owners and admins (who may claim) see them.
func (s *Service) Pending(ctx context.Context, a actor.Actor, after string, limit int) (Page, error) {
	return s.PendingSearch(ctx, a, PendingFilter{After: after, Limit: limit})
}

// PendingFilter narrows the pending list: Serial is a prefix of the label
// or Huawei hex form.
type PendingFilter struct {
	Serial, After string
	Limit         int
}

// PendingSearch is Pending with a serial search; the page's Total counts
// every pending device the search matches (the pending partial index).
func (s *Service) PendingSearch(ctx context.Context, a actor.Actor, f PendingFilter) (Page, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return Page{}, err
	}
	limit, after := f.Limit, f.After
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	serial := strings.TrimSpace(f.Serial)
	if serial != "" && !serialPrefixRE.MatchString(serial) {
		return Page{}, validation.Errors{"serial": "must be letters, digits, '.', '_', ':' or '-'"}
	}
	// The search's condition, its arguments from $1; the page's query puts
	// the limit after them.
	where, args := "d.org_id IS NULL", []any{}
	if serial != "" {
		args = append(args, serialPattern(serial))
		where += fmt.Sprintf(" AND d.serial_norm LIKE $%d", len(args))
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices d WHERE `+where, args...).Scan(&total); err != nil {
		return Page{}, fmt.Errorf("count pending devices: %w", err)
	}
	if after != "" {
		c, err := decodeCursor(after)
		if err != nil {
			return Page{}, validation.Errors{"after": "is not a cursor from a previous page"}
		}
		where += fmt.Sprintf(" AND (d.created_at, d.id) < ($%d, $%d)", len(args)+1, len(args)+2)
		args = append(args, c.T, c.I)
	}
	args = append(args, limit+1)
	rows, err := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM cpe_devices d `+deviceJoins+` WHERE `+where+`
		ORDER BY d.created_at DESC, d.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list pending devices: %w", err)
	}
	items, err := scanDevices(rows, s.thresholds, time.Now())
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items, Total: &total}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.Next = cursor{T: last.CreatedAt, I: last.ID}.encode()
	}
	return p, nil
}

// OfSubscriber lists the organization's devices assigned to a subscriber
// (most recently informing first).
func (s *Service) OfSubscriber(ctx context.Context, a actor.Actor, subscriberID uuid.UUID) ([]Device, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deviceColumns+` FROM cpe_devices d `+deviceJoins+`
		WHERE d.org_id = $1 AND d.subscriber_id = $2 ORDER BY d.last_inform_at DESC NULLS LAST, d.serial_norm LIMIT 100`, a.OrgID, subscriberID)
	if err != nil {
		return nil, fmt.Errorf("devices of a subscriber: %w", err)
	}
	return scanDevices(rows, s.thresholds, time.Now())
}

// GetPending returns one pending device (for the claim confirmation).
func (s *Service) GetPending(ctx context.Context, a actor.Actor, id uuid.UUID) (Device, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return Device{}, err
	}
	return s.one(ctx, s.pool, `d.org_id IS NULL AND d.id = $1`, id)
}

// Claim makes a pending device the actor's organization's: one atomic
// update, so the first claim wins. A loser of the same organization gets
// ErrAlreadyClaimed; for anyone else a device another organization has is
// db.ErrNotFound, the answer an unknown id gets. GenieACS gets the org tag
// through a push.
func (s *Service) Claim(ctx context.Context, a actor.Actor, id uuid.UUID) (Device, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return Device{}, err
	}
	var d Device
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var serial string
		err := tx.QueryRow(ctx, `UPDATE cpe_devices SET org_id = $1, updated_at = now()
			WHERE id = $2 AND org_id IS NULL RETURNING serial_norm`, a.OrgID, id).Scan(&serial)
		if errors.Is(db.MapErr(err), db.ErrNotFound) {
			var ours bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cpe_devices WHERE id = $1 AND org_id = $2)`, id, a.OrgID).Scan(&ours); err != nil {
				return err
			}
			if ours {
				return ErrAlreadyClaimed // a colleague was first
			}
			return db.ErrNotFound // unknown, or another organization's: never which
		} else if err != nil {
			return err
		}
		d, err = s.changed(ctx, tx, a, id, audit.Entry{Action: "cpe.claim", Summary: "claimed pending device " + serial},
			outbox.TopicClaimed, map[string]any{"deviceId": id, "serial": serial})
		return err
	})
	return d, err
}

// SetTag records that GenieACS now holds (add) or no longer holds tag on
// the device, until the sync reads the device's tags again.
func SetTag(ctx context.Context, exec db.Executor, id uuid.UUID, tag string, add bool) error {
	q := `UPDATE cpe_devices SET tags = array_append(array_remove(tags, $2), $2), updated_at = now() WHERE id = $1`
	if !add {
		q = `UPDATE cpe_devices SET tags = array_remove(tags, $2), updated_at = now() WHERE id = $1`
	}
	if _, err := exec.Exec(ctx, q, id, tag); err != nil {
		return fmt.Errorf("set tag: %w", err)
	}
	return nil
}
