package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
	AsOf            time.Time      // the instant the statuses were computed against
	Thresholds      cpe.Thresholds // the thresholds they were judged against
	Total           int            // every device of the organization
	Online          int            // last inform within Thresholds.Online
	RecentlyOffline int            // last inform older than Thresholds.Online, up to Thresholds.Stale
	Stale           int            // last inform older than Thresholds.Stale
	NeverSeen       int            // no inform yet (imported, never connected)
	Firmware        []Bucket       // by software version, most devices first
	Models          []Bucket       // by product class, most devices first
	FaultsByDay     []DayCount     // faults raised per UTC day, oldest first, Days of them
	// Cells are the devices per model and firmware version, by status:
	// what the device list's total reads for those filters.
	Cells map[ModelVersion]StatusCounts
	// Compliance is, per model with an uploaded firmware image, its newest
	// image's version and how many of the model's devices run it; most
	// devices first.
	Compliance []Compliance
	// OpticalAlarms counts the GPON ONTs whose received optical level is
	// in alarm, by level (weak, critical, overload).
	OpticalAlarms map[string]int
}

// OpticalAlarmTotal is every ONT in optical alarm.
func (f Fleet) OpticalAlarmTotal() int {
	n := 0
	for _, c := range f.OpticalAlarms {
		n += c
	}
	return n
}

// StatusCounts are devices by status; Total - Online - Offline - Stale
// never informed.
type StatusCounts struct{ Total, Online, Offline, Stale int }

// Matching counts the devices of model and firmware ("" for any) in a
// status of the device list ("" for any), and reports whether the counts
// can tell (not for statuses they do not keep, such as pending_push).
func (f Fleet) Matching(model, firmware, status string) (int, bool) {
	n := 0
	for k, c := range f.Cells {
		if (model != "" && k.ProductClass != model) || (firmware != "" && k.Version != firmware) {
			continue
		}
		switch status {
		case "":
			n += c.Total
		case "online":
			n += c.Online
		case "offline":
			n += c.Offline
		case "stale":
			n += c.Stale
		case "unknown":
			n += c.Total - c.Online - c.Offline - c.Stale
		default:
			return 0, false
		}
	}
	return n, true
}

// Compliance is one model's devices on its newest uploaded firmware.
type Compliance struct {
	Model    string `json:"model"`
	Newest   string `json:"newestVersion"`
	Devices  int    `json:"devices"`
	OnNewest int    `json:"onNewest"`
}

// Percent is the share of the model's devices on the newest version.
func (c Compliance) Percent() int {
	if c.Devices == 0 {
		return 0
	}
	return c.OnNewest * 100 / c.Devices
}

// NewestFor reports whether version is some model's newest uploaded image.
func (f Fleet) NewestFor(version string) []string {
	var models []string
	for _, c := range f.Compliance {
		if c.Newest == version {
			models = append(models, c.Model)
		}
	}
	return models
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
		return s.fleet(ctx, orgID, s.now())
	})
}

// span is the devices of one firmware version and model whose last inform
// falls in [from, until) (both nil: never informed), as summed from
// cpe_fleet_counts.
type span struct {
	Firmware string     `db:"software_version"`
	Model    string     `db:"product_class"`
	From     *time.Time `db:"inform_from"`
	Until    *time.Time `db:"inform_until"`
	N        int        `db:"devices"`
}

// interval is [from, until).
type interval struct{ from, until time.Time }

func (s *Service) fleet(ctx context.Context, orgID uuid.UUID, now time.Time) (Fleet, error) {
	f := Fleet{AsOf: now.UTC(), Thresholds: s.thresholds}
	onlineCut, staleCut := now.Add(-s.thresholds.Online), now.Add(-s.thresholds.Stale)
	// The counts and the exact counts of the cut minutes come from one
	// snapshot, so a device moving between them is counted once.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	rows, err := tx.Query(ctx, `SELECT software_version, product_class, inform_from, inform_until, sum(devices)::int AS devices
		FROM cpe_fleet_counts WHERE org_id = $1
		GROUP BY software_version, product_class, inform_from, inform_until
		HAVING sum(devices) <> 0`, orgID)
	if err != nil {
		return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
	}
	spans, err := pgx.CollectRows(rows, pgx.RowToStructByName[span])
	if err != nil {
		return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
	}

	// A span the online or stale cut falls into holds devices on both
	// sides: those are counted from cpe_devices instead (the online cut's
	// minute, the stale cut's hour, through the (org_id, last_inform_at)
	// index), and so is every span inside them (UTC minutes nest in hours,
	// hours in days).
	var cut []interval
	for _, sp := range spans {
		if sp.From != nil && (within(onlineCut, *sp.From, *sp.Until) || within(staleCut, *sp.From, *sp.Until)) {
			cut = append(cut, interval{*sp.From, *sp.Until})
		}
	}
	cut = merge(cut)

	t := newTally(&f)
	for _, sp := range spans {
		switch {
		case sp.From == nil:
			t.add(sp.Firmware, sp.Model, sp.N, 0, 0, 0)
		case overlaps(cut, *sp.From, *sp.Until):
		case sp.From.After(onlineCut):
			t.add(sp.Firmware, sp.Model, sp.N, sp.N, 0, 0)
		case !sp.Until.After(staleCut):
			t.add(sp.Firmware, sp.Model, sp.N, 0, 0, sp.N)
		default: // wholly after the stale cut and before the online one
			t.add(sp.Firmware, sp.Model, sp.N, 0, sp.N, 0)
		}
	}
	for _, iv := range cut {
		// The thresholds are the device list's status filter, bound as
		// values, so the counts and the lists they link to agree.
		rows, err := tx.Query(ctx, `SELECT software_version, product_class, count(*) AS devices,
				count(*) FILTER (WHERE last_inform_at > $2) AS online,
				count(*) FILTER (WHERE last_inform_at <= $2 AND last_inform_at > $3) AS offline,
				count(*) FILTER (WHERE last_inform_at <= $3) AS stale
			FROM cpe_devices WHERE org_id = $1 AND last_inform_at >= $4 AND last_inform_at < $5
			GROUP BY software_version, product_class`, orgID, onlineCut, staleCut, iv.from, iv.until)
		if err != nil {
			return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
		}
		counted, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
			Firmware string `db:"software_version"`
			Model    string `db:"product_class"`
			N        int    `db:"devices"`
			Online   int    `db:"online"`
			Offline  int    `db:"offline"`
			Stale    int    `db:"stale"`
		}])
		if err != nil {
			return Fleet{}, fmt.Errorf("dashboard devices: %w", err)
		}
		for _, c := range counted {
			t.add(c.Firmware, c.Model, c.N, c.Online, c.Offline, c.Stale)
		}
	}
	f.Firmware, f.Models = sorted(t.firmware), sorted(t.models)
	if f.Compliance, err = compliance(ctx, tx, orgID, t.byModel); err != nil {
		return Fleet{}, err
	}

	if f.FaultsByDay, err = faultsByDay(ctx, tx, orgID, now); err != nil {
		return Fleet{}, err
	}
	if f.OpticalAlarms, err = opticalAlarms(ctx, tx, orgID); err != nil {
		return Fleet{}, err
	}
	return f, nil
}

// within reports whether t falls in [from, until).
func within(t, from, until time.Time) bool { return !t.Before(from) && t.Before(until) }

// overlaps reports whether [from, until) meets one of ivs.
func overlaps(ivs []interval, from, until time.Time) bool {
	for _, iv := range ivs {
		if from.Before(iv.until) && iv.from.Before(until) {
			return true
		}
	}
	return false
}

// merge returns ivs sorted, overlapping ones joined.
func merge(ivs []interval) []interval {
	slices.SortFunc(ivs, func(a, b interval) int { return a.from.Compare(b.from) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.from.After(out[n-1].until) {
			if iv.until.After(out[n-1].until) {
				out[n-1].until = iv.until
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// tally adds devices up into a Fleet's totals and its firmware and model
// buckets.
type tally struct {
	f                *Fleet
	firmware, models map[string]*Bucket
	byModel          map[ModelVersion]int
}

func newTally(f *Fleet) *tally {
	f.Cells = map[ModelVersion]StatusCounts{}
	return &tally{f: f, firmware: map[string]*Bucket{}, models: map[string]*Bucket{}, byModel: map[ModelVersion]int{}}
}

// add counts n devices of fw and model, of which online, offline and stale
// informed (the rest never did).
func (t *tally) add(fw, model string, n, online, offline, stale int) {
	t.f.Total += n
	t.f.Online += online
	t.f.RecentlyOffline += offline
	t.f.Stale += stale
	t.f.NeverSeen += n - online - offline - stale
	mv := ModelVersion{ProductClass: model, Version: fw}
	t.byModel[mv] += n
	c := t.f.Cells[mv]
	c.Total, c.Online, c.Offline, c.Stale = c.Total+n, c.Online+online, c.Offline+offline, c.Stale+stale
	t.f.Cells[mv] = c
	for _, kv := range []struct {
		m map[string]*Bucket
		v string
	}{{t.firmware, fw}, {t.models, model}} {
		b := kv.m[kv.v]
		if b == nil {
			b = &Bucket{Value: kv.v}
			kv.m[kv.v] = b
		}
		b.Count += n
		b.Online += online
	}
}

// compliance pairs each model's newest uploaded firmware image (by upload
// time) with the model's devices counted in byModel.
func compliance(ctx context.Context, q pgx.Tx, orgID uuid.UUID, byModel map[ModelVersion]int) ([]Compliance, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (product_class) product_class, version FROM firmware_images
		WHERE org_id = $1 AND state = 'ready' ORDER BY product_class, uploaded_at DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("dashboard firmware: %w", err)
	}
	newest, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		Model   string `db:"product_class"`
		Version string `db:"version"`
	}])
	if err != nil {
		return nil, fmt.Errorf("dashboard firmware: %w", err)
	}
	perModel := map[string]int{}
	for mv, n := range byModel {
		perModel[mv.ProductClass] += n
	}
	var out []Compliance
	for _, nw := range newest {
		if perModel[nw.Model] == 0 {
			continue
		}
		out = append(out, Compliance{Model: nw.Model, Newest: nw.Version, Devices: perModel[nw.Model],
			OnNewest: byModel[ModelVersion{ProductClass: nw.Model, Version: nw.Version}]})
	}
	slices.SortFunc(out, func(a, b Compliance) int { return cmp.Or(b.Devices-a.Devices, strings.Compare(a.Model, b.Model)) })
	return out, nil
}

// faultsByDay counts the organization's faults by the UTC day GenieACS
// raised them, whatever their status now.
func faultsByDay(ctx context.Context, q pgx.Tx, orgID uuid.UUID, now time.Time) ([]DayCount, error) {
	start := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(Days - 1))
	// Every status is listed so the (org_id, status, raised_at) index is
	// read as three short ranges instead of all of the organization's
	// history; the list is the table's CHECK constraint.
	rows, err := q.Query(ctx, `SELECT date_trunc('day', raised_at AT TIME ZONE 'UTC') AS day, count(*) AS n
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
		if b.Count != 0 { // changes of a day's minutes before the day is compacted can cancel out
			out = append(out, *b)
		}
	}
	slices.SortFunc(out, func(a, b Bucket) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// opticalAlarms counts the organization's devices in optical alarm by
// level (the partial index on the alarm levels serves it).
func opticalAlarms(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (map[string]int, error) {
	rows, err := tx.Query(ctx, `SELECT optical_level, count(*) FROM cpe_devices
		WHERE org_id = $1 AND optical_level IN `+cpe.OpticalAlarmLevels+` GROUP BY 1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("dashboard optical alarms: %w", err)
	}
	out := map[string]int{"weak": 0, "critical": 0, "overload": 0}
	var level string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&level, &n}, func() error {
		out[level] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard optical alarms: %w", err)
	}
	return out, nil
}

// OrgStates is one organization's devices by status.
type OrgStates struct {
	Slug                                      string
	Online, Offline, Stale, NeverSeen, Alarms int
}

// StatesByOrg is every organization's devices by status, from the
// maintained counts (cached like the dashboard's): what /metrics exports
// per organization.
func (s *Service) StatesByOrg(ctx context.Context) ([]OrgStates, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, slug FROM organizations ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	type orgRow struct {
		ID   uuid.UUID `db:"id"`
		Slug string    `db:"slug"`
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[orgRow])
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	out := make([]OrgStates, 0, len(orgs))
	for _, o := range orgs {
		f, err := s.cachedFleet(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, OrgStates{Slug: o.Slug, Online: f.Online, Offline: f.RecentlyOffline, Stale: f.Stale,
			NeverSeen: f.NeverSeen, Alarms: f.OpticalAlarmTotal()})
	}
	return out, nil
}
