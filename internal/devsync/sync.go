package devsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Kinds of pass.
const (
	Incremental = "incremental"
	Full        = "full"
)

// Service runs sync passes.
type Service struct {
	// Metrics records each pass (nil: nothing).
	Metrics *metrics.Metrics
	pool    *pgxpool.Pool
	acs     *genieacs.Client
	jobs    outbox.JobInserter
	logger  *slog.Logger
	// PageSize is the NBI page (default 1000); BatchSize the rows per
	// staging COPY + upsert (default 2000).
	PageSize, BatchSize int
	// Overlap is subtracted from the watermark so a device whose session
	// began before the last pass read and ended after is not missed
	// (default 30 s; sessions last seconds).
	Overlap time.Duration
	// SampleEvery is the health time series' resolution (default 15 min).
	SampleEvery time.Duration
	// Thresholds judge the online/offline events (Online) and are the
	// ones the fleet counts are compacted for (a zero field: the default;
	// the dashboard's, dashboard.Service.WithThresholds, must be the same).
	Thresholds cpe.Thresholds
	// Debounce: no online/offline event for a device whose state changed
	// less than this ago (default 5 min).
	Debounce time.Duration
}

// NewService returns the sync service.
func NewService(pool *pgxpool.Pool, acs *genieacs.Client, jobs outbox.JobInserter, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: pool, acs: acs, jobs: jobs, logger: logger}
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run is one pass as recorded in sync_runs.
type Run struct {
	ID          int64          `json:"id"`
	Kind        string         `json:"kind"`
	Status      string         `json:"status"`
	StartedAt   time.Time      `json:"startedAt"`
	FinishedAt  *time.Time     `json:"finishedAt,omitempty"`
	Seen        int            `json:"seen"`
	Created     int            `json:"created"`
	Updated     int            `json:"updated"`
	Deleted     int            `json:"deleted"`
	Skipped     int            `json:"skipped"`
	Samples     int            `json:"samples"`
	SkipReasons map[string]int `json:"skipReasons,omitempty"`
	Error       string         `json:"error,omitempty"`
	Watermark   *time.Time     `json:"watermark,omitempty"`
	Events      int            `json:"-"`
}

// Duration is how long the run took (so far).
func (r Run) Duration() time.Duration {
	end := time.Now()
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	return end.Sub(r.StartedAt)
}

// lockKey is the advisory lock that keeps passes from overlapping.
const lockKey = 0x5f1c_5e7c

// ErrBusy: another pass holds the lock.
var ErrBusy = errors.New("another sync pass is running")

// Sync runs one pass. An incremental pass with no watermark yet runs as a
// full one.
func (s *Service) Sync(ctx context.Context, kind string) (Run, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return Run{}, err
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey).Scan(&locked); err != nil {
		return Run{}, err
	}
	if !locked {
		return Run{}, ErrBusy
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) }()

	var watermark *time.Time
	if kind == Incremental {
		if err := conn.QueryRow(ctx, `SELECT max(watermark) FROM sync_runs WHERE status = 'done'`).Scan(&watermark); err != nil {
			return Run{}, err
		}
		if watermark == nil {
			kind = Full
		}
	}
	run := Run{Kind: kind, Status: "running", StartedAt: time.Now(), SkipReasons: map[string]int{}}
	if err := conn.QueryRow(ctx, `INSERT INTO sync_runs (kind, started_at) VALUES ($1, $2) RETURNING id`, kind, run.StartedAt).Scan(&run.ID); err != nil {
		return Run{}, err
	}
	p := &pass{s: s, conn: conn.Conn(), run: &run, full: kind == Full, maxInform: watermark}
	err = p.walk(ctx, watermark)
	if err == nil && p.full {
		err = p.markDeleted(ctx)
	}
	if err == nil && kind == Incremental {
		var n int
		n, err = s.judgeOnline(ctx)
		run.Events += n
	}
	// The pass appended a change to the dashboard's counts for every batch
	// it wrote; fold them (whatever became of the pass: they are there).
	if _, cerr := dashboard.Compact(ctx, s.pool, s.Thresholds, time.Now()); cerr != nil && err == nil {
		err = cerr
	}
	now := time.Now()
	run.FinishedAt = &now
	run.Watermark = p.maxInform
	switch {
	case err == nil:
		run.Status = "done"
	case errors.Is(err, genieacs.ErrCircuitOpen):
		run.Status, run.Error = "snoozed", "GenieACS is not answering (circuit breaker open)"
	default:
		run.Status, run.Error = "failed", err.Error()
	}
	reasons, _ := json.Marshal(run.SkipReasons)
	if _, uerr := s.pool.Exec(context.WithoutCancel(ctx), `UPDATE sync_runs SET status = $2, finished_at = $3, seen = $4, created = $5, updated = $6,
			deleted = $7, skipped = $8, samples = $9, skip_reasons = $10, error = $11, watermark = $12 WHERE id = $1`,
		run.ID, run.Status, now, run.Seen, run.Created, run.Updated, run.Deleted, run.Skipped, run.Samples, reasons, validation.Storable(run.Error, 500), run.Watermark); uerr != nil && err == nil {
		err = uerr
	}
	s.Metrics.SyncPass(string(kind), run.Status, now.Sub(run.StartedAt), run.Seen, run.Created, run.Updated, run.Deleted, run.Skipped)
	s.logger.Info("sync pass", "kind", kind, "status", run.Status, "seen", run.Seen, "created", run.Created, "updated", run.Updated,
		"deleted", run.Deleted, "skipped", run.Skipped, "skip_reasons", string(reasons), "samples", run.Samples, "events", run.Events,
		"ms", now.Sub(run.StartedAt).Milliseconds())
	return run, err
}

// pass is one walk over GenieACS's devices.
type pass struct {
	s         *Service
	conn      *pgx.Conn // the writer's (one batch at a time)
	run       *Run
	mu        sync.Mutex // run's counters: the reader and the writer both count
	full      bool
	batch     []stageRow
	maxInform *time.Time
	staged    bool
}

// Projection is what a pass reads of each device: identity, last inform,
// tags, the health values and the capability evidence of both data
// models. A pattern ('*': an instance number) is read as the subtree
// above its first wildcard (a projection names no instance it does not
// know); a path inside a subtree already read is left out (MongoDB
// refuses a projection with a path and its prefix).
func Projection() []string {
	var paths []string
	for _, set := range []map[string][]string{datamodel.ProvisionPaths(healthParams),
		datamodel.ProvisionPaths(append(datamodel.CapabilityParams(), datamodel.CapabilityMarker))} {
		for _, root := range []string{datamodel.TR098, datamodel.TR181} {
			for _, p := range set[root] {
				if i := strings.Index(p, ".*"); i >= 0 {
					p = p[:i]
				}
				paths = append(paths, p)
			}
		}
	}
	slices.Sort(paths)
	out := []string{"_deviceId", "_lastInform", "_tags"}
	for _, p := range slices.Compact(paths) {
		if !slices.ContainsFunc(out, func(prefix string) bool { return within(p, prefix) }) {
			out = append(out, p)
		}
	}
	return out
}

// within reports whether path is inside the subtree at (or is) prefix.
func within(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+".")
}

var healthParams = []datamodel.Param{datamodel.SoftwareVersion, datamodel.UpTime, datamodel.CPUUsage, datamodel.MemoryFree,
	datamodel.WANBytesSent, datamodel.WANBytesReceived, datamodel.WiFiClients24, datamodel.WiFiClients5,
	datamodel.OpticalRxPower, datamodel.OpticalTxPower, datamodel.HostCount}

// walk reads the devices and writes them in batches. Reading and writing
// overlap: while one batch is written the next is decoded (at most one more
// waits), so a pass takes about as long as the slower of the two, and
// memory stays at three batches whatever the fleet.
func (p *pass) walk(ctx context.Context, watermark *time.Time) error {
	if err := p.stage(ctx); err != nil {
		return err
	}
	var filter map[string]any
	if watermark != nil && !p.full {
		filter = map[string]any{"_lastInform": map[string]any{"$gt": genieacs.Time(watermark.Add(-or(p.s.Overlap, 30*time.Second)))}}
	}
	size := or(p.s.BatchSize, 2000)
	batches := make(chan []stageRow, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { // the writer
		for b := range batches {
			if err := p.flush(gctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	send := func() error {
		if len(p.batch) == 0 {
			return nil
		}
		select {
		case batches <- p.batch:
			p.batch = make([]stageRow, 0, size)
			return nil
		case <-gctx.Done(): // the writer failed: its error is g.Wait's
			return gctx.Err()
		}
	}
	err := p.s.acs.EachDeviceDoc(gctx, filter, Projection(), or(p.s.PageSize, 1000), func(d *genieacs.Device, derr error) error {
		p.mu.Lock()
		p.run.Seen++
		p.mu.Unlock()
		if derr != nil {
			p.skip("undecodable document", "", derr)
			return nil
		}
		// The watermark passes every document read, the skipped ones too:
		// a document that cannot be stored is skipped again (and counted)
		// by the passes that read it, never holds them back.
		if !d.LastInform.IsZero() && (p.maxInform == nil || d.LastInform.After(*p.maxInform)) {
			t := d.LastInform
			p.maxInform = &t
		}
		r, reason := rowOf(d)
		if reason != "" {
			p.skip(reason, d.ID, nil)
			return nil
		}
		p.batch = append(p.batch, r)
		if len(p.batch) >= size {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	close(batches)
	// A writer's failure stopped the read (the reader's own failures leave
	// the writer to finish what it was given): it is the cause to report.
	if werr := g.Wait(); werr != nil {
		err = werr
	}
	return err
}

// skip counts a document not written, by reason (a fixed text: the keys
// of sync_runs.skip_reasons), and logs the first few of each reason with
// the device's _id (quoted: it is GenieACS's text, NUL bytes and all).
func (p *pass) skip(reason, device string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.run.Skipped++
	p.run.SkipReasons[reason]++
	if p.run.SkipReasons[reason] <= 3 {
		// %q shows what a column refused (a NUL as \x00); only logged.
		args := []any{"reason", reason, "device", fmt.Sprintf("%q", device[:min(len(device), 100)])}
		if err != nil {
			args = append(args, "err", fmt.Sprintf("%q", err.Error()[:min(len(err.Error()), 300)]))
		}
		p.s.logger.Warn("sync skipped a device document", args...)
	}
}

// stage creates the session's staging tables.
func (p *pass) stage(ctx context.Context) error {
	if p.staged {
		return nil
	}
	_, err := p.conn.Exec(ctx, cpe.StageTable+`;
		CREATE TEMP TABLE IF NOT EXISTS sync_seen (genieacs_id text PRIMARY KEY);
		TRUNCATE sync_stage, sync_seen`)
	p.staged = err == nil
	return err
}

var stageColumns = []string{"genieacs_id", "serial", "serial_norm", "oui", "product_class", "manufacturer", "data_model",
	"software_version", "last_inform_at", "tags", "uptime_s", "cpu_percent", "memory_free_kib", "wan_bytes_sent",
	"wan_bytes_received", "wifi_clients", "health_at", "capabilities", "optical_rx_dbm", "optical_tx_dbm", "hosts"}

// flush writes the batch: COPY into staging, drop what cannot be
// applied, one upsert, the health samples; one transaction.
func (p *pass) flush(ctx context.Context, rows []stageRow) error {
	return pgx.BeginFunc(ctx, p.conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE sync_stage`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"sync_stage"}, stageColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			return rows[i].values(), nil
		})); err != nil {
			return fmt.Errorf("copy into staging: %w", err)
		}
		// A temporary table has no statistics until analyzed: without them
		// the joins below plan as nested loops.
		if _, err := tx.Exec(ctx, `ANALYZE sync_stage`); err != nil {
			return err
		}
		// Two GenieACS devices with one serial, or a serial another
		// GenieACS device already holds: skipped, never merged.
		dropped, err := tx.Query(ctx, `
			WITH dup AS (
				DELETE FROM sync_stage WHERE ctid IN (
					SELECT ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY serial_norm ORDER BY genieacs_id) AS n FROM sync_stage) x WHERE n > 1)
				RETURNING genieacs_id, 'the same serial as another GenieACS device' AS why
			), taken AS (
				DELETE FROM sync_stage s USING cpe_devices d
				WHERE d.serial_norm = s.serial_norm AND d.genieacs_id IS NOT NULL AND d.genieacs_id <> s.genieacs_id
				RETURNING s.genieacs_id, 'its serial belongs to another GenieACS device' AS why
			), moved AS (
				DELETE FROM sync_stage s USING cpe_devices d
				WHERE d.genieacs_id = s.genieacs_id AND d.serial_norm <> s.serial_norm
				RETURNING s.genieacs_id, 'its GenieACS id is recorded with another serial' AS why
			), rebound AS (
				DELETE FROM sync_stage s USING cpe_devices d
				WHERE d.serial_norm = s.serial_norm AND d.genieacs_id IS NULL AND d.org_id IS NOT NULL
					AND d.oui <> '' AND s.oui <> '' AND upper(s.oui) <> d.oui
				RETURNING s.genieacs_id, 'its OUI differs from the claimed device with its serial (identity conflict)' AS why
			)
			SELECT * FROM dup UNION ALL SELECT * FROM taken UNION ALL SELECT * FROM moved UNION ALL SELECT * FROM rebound`)
		if err != nil {
			return err
		}
		for dropped.Next() {
			var id, why string
			if err := dropped.Scan(&id, &why); err != nil {
				dropped.Close()
				return err
			}
			p.skip(why, id, nil)
		}
		dropped.Close()
		if err := dropped.Err(); err != nil {
			return err
		}
		created, updated, err := cpe.UpsertStaged(ctx, tx)
		if err != nil {
			return fmt.Errorf("upsert devices: %w", err)
		}
		p.mu.Lock()
		p.run.Created += created
		p.run.Updated += updated
		p.mu.Unlock()
		tag, err := tx.Exec(ctx, `
			INSERT INTO cpe_metrics (device_id, at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients,
				optical_rx_dbm, optical_tx_dbm, hosts)
			SELECT d.id, s.health_at, s.uptime_s, s.cpu_percent, s.memory_free_kib, s.wan_bytes_sent, s.wan_bytes_received, s.wifi_clients,
				s.optical_rx_dbm, s.optical_tx_dbm, s.hosts
			FROM sync_stage s JOIN cpe_devices d ON d.genieacs_id = s.genieacs_id
			WHERE s.health_at IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM cpe_metrics m WHERE m.device_id = d.id AND m.at > s.health_at - $1::interval)
			ON CONFLICT DO NOTHING`, or(p.s.SampleEvery, 15*time.Minute).String())
		if err != nil {
			return fmt.Errorf("health samples: %w", err)
		}
		p.mu.Lock()
		p.run.Samples += int(tag.RowsAffected())
		p.mu.Unlock()
		events, err := judgeOptical(ctx, tx, p.s.jobs)
		if err != nil {
			return err
		}
		p.mu.Lock()
		p.run.Events += events
		p.mu.Unlock()
		if p.full {
			if _, err := tx.Exec(ctx, `INSERT INTO sync_seen SELECT genieacs_id FROM sync_stage ON CONFLICT DO NOTHING`); err != nil {
				return err
			}
		}
		return nil
	})
}

// markDeleted flags the devices a complete full pass did not find (and
// that existed before it began).
func (p *pass) markDeleted(ctx context.Context) error {
	if _, err := p.conn.Exec(ctx, `ANALYZE sync_seen`); err != nil {
		return err
	}
	n, err := cpe.MarkGone(ctx, p.conn, p.run.StartedAt)
	if err != nil {
		return err
	}
	p.run.Deleted = int(n)
	return nil
}

// stageRow is one validated device.
type stageRow struct {
	genieID, serial, serialNorm, oui, product, manufacturer, dataModel, software string
	lastInform                                                                   *time.Time
	tags                                                                         []string
	uptime, memFree, sent, received                                              *int64
	cpu                                                                          *float32
	wifi                                                                         *int32
	healthAt                                                                     *time.Time
	caps                                                                         datamodel.Caps // nil: unknown
	rx, tx                                                                       *float32       // dBm
	hosts                                                                        *int32
}

func (r stageRow) values() []any {
	return []any{r.genieID, r.serial, r.serialNorm, r.oui, r.product, r.manufacturer, r.dataModel, r.software,
		r.lastInform, r.tags, r.uptime, r.cpu, r.memFree, r.sent, r.received, r.wifi, r.healthAt, r.capsValue(), r.rx, r.tx, r.hosts}
}

// capsValue is the capabilities column: NULL when unknown (a nil map
// would be JSON's null).
func (r stageRow) capsValue() any {
	if r.caps == nil {
		return nil
	}
	return r.caps
}

// docFields names the document field each text column of sync_stage comes
// from, for skip reasons.
var docFields = map[string]string{"genieacs_id": "_id", "serial": "_deviceId._SerialNumber",
	"serial_norm": "_deviceId._SerialNumber", "oui": "_deviceId._OUI", "product_class": "_deviceId._ProductClass",
	"manufacturer": "_deviceId._Manufacturer", "data_model": "the data model root", "software_version": "SoftwareVersion",
	"tags": "_tags"}

// unstorable says why PostgreSQL would refuse a row's text ("nul byte in
// SoftwareVersion"), or "": it checks every string the COPY sends, so one
// document cannot fail its batch's COPY (and with it every later pass).
func (r stageRow) unstorable() string {
	for i, v := range r.values() {
		var why string
		switch x := v.(type) {
		case string:
			why = validation.Unstorable(x)
		case []string:
			for _, s := range x {
				if why = validation.Unstorable(s); why != "" {
					break
				}
			}
		}
		if why != "" {
			return why + " in " + or(docFields[stageColumns[i]], stageColumns[i])
		}
	}
	return ""
}

// Bounds on what a document may carry.
const (
	maxID     = 256
	maxSerial = 64
	maxText   = 128
	maxTags   = 64
)

// rowOf validates a device document; reason is why it is skipped.
func rowOf(d *genieacs.Device) (stageRow, string) {
	id := d.Identity
	switch {
	case len(d.ID) > maxID:
		return stageRow{}, "the _id is too long"
	case strings.TrimSpace(id.SerialNumber) == "":
		return stageRow{}, "no _deviceId._SerialNumber"
	case len(id.SerialNumber) > maxSerial:
		return stageRow{}, "the serial number is too long"
	case len(id.OUI) > 16, len(id.ProductClass) > maxText, len(id.Manufacturer) > maxText:
		return stageRow{}, "an identity field is too long"
	case len(d.Tags) > maxTags:
		return stageRow{}, "too many tags"
	}
	for _, t := range d.Tags {
		if len(t) > maxText {
			return stageRow{}, "a tag is too long"
		}
	}
	r := stageRow{genieID: d.ID, serial: id.SerialNumber, serialNorm: cpe.NormalizeSerial(id.SerialNumber),
		oui: strings.ToUpper(id.OUI), product: id.ProductClass, manufacturer: id.Manufacturer,
		dataModel: cpe.DataModel(d.Root()), tags: append([]string{}, d.Tags...)}
	if !d.LastInform.IsZero() {
		t := d.LastInform
		r.lastInform = &t
	}
	ident := datamodel.Identity{Manufacturer: id.Manufacturer, OUI: id.OUI, ProductClass: id.ProductClass, Root: d.Root()}
	get := func(p datamodel.Param) (genieacs.Param, bool) {
		path, found := datamodel.Resolve(p, ident, maps.Keys(d.Params))
		if !found {
			return genieacs.Param{}, false
		}
		v, ok := d.Params[path]
		return v, ok && v.Value != nil
	}
	if v, ok := get(datamodel.SoftwareVersion); ok {
		s, isStr := v.Value.(string)
		if !isStr || len(s) > maxText {
			return stageRow{}, "SoftwareVersion is not a short text"
		}
		r.software = s
	}
	num := func(p datamodel.Param, max float64) (*float64, string) {
		v, ok := get(p)
		if !ok {
			return nil, ""
		}
		var f float64
		switch x := v.Value.(type) {
		case float64:
			f = x
		case string:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, string(p) + " is not a number"
			}
		default:
			return nil, string(p) + " is not a number"
		}
		if math.IsNaN(f) || f < 0 || f > max {
			return nil, string(p) + " is out of range"
		}
		return &f, ""
	}
	i64 := func(f *float64) *int64 {
		if f == nil {
			return nil
		}
		n := int64(*f)
		return &n
	}
	var why string
	var f *float64
	if f, why = num(datamodel.UpTime, 1<<40); why != "" {
		return stageRow{}, why
	}
	r.uptime = i64(f)
	if f, why = num(datamodel.CPUUsage, 100); why != "" {
		return stageRow{}, why
	}
	if f != nil {
		c := float32(*f)
		r.cpu = &c
	}
	if f, why = num(datamodel.MemoryFree, 1<<40); why != "" {
		return stageRow{}, why
	}
	r.memFree = i64(f)
	if f, why = num(datamodel.WANBytesSent, 1<<62); why != "" {
		return stageRow{}, why
	}
	r.sent = i64(f)
	if f, why = num(datamodel.WANBytesReceived, 1<<62); why != "" {
		return stageRow{}, why
	}
	r.received = i64(f)
	var clients *int32
	for _, p := range []datamodel.Param{datamodel.WiFiClients24, datamodel.WiFiClients5} {
		if f, why = num(p, 10000); why != "" {
			return stageRow{}, why
		}
		if f != nil {
			n := int32(*f)
			if clients != nil {
				n += *clients
			}
			clients = &n
		}
	}
	r.wifi = clients
	if f, why = num(datamodel.HostCount, 10000); why != "" {
		return stageRow{}, why
	}
	if f != nil {
		n := int32(*f)
		r.hosts = &n
	}
	// Optical levels are negative (received) or small (sent) dBm, or a
	// vendor's text of them; a level that is not a number is no reading.
	for _, o := range []struct {
		p   datamodel.Param
		dst **float32
	}{{datamodel.OpticalRxPower, &r.rx}, {datamodel.OpticalTxPower, &r.tx}} {
		v, ok := get(o.p)
		if !ok {
			continue
		}
		var raw float64
		switch x := v.Value.(type) {
		case float64:
			raw = x
		case string:
			var err error
			if raw, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				continue
			}
		default:
			continue
		}
		if dbm := datamodel.OpticalDBm(ident.Root, raw); !math.IsNaN(dbm) && dbm > -100 && dbm < 100 {
			f := float32(dbm)
			*o.dst = &f
		}
	}
	if r.uptime != nil || r.cpu != nil || r.memFree != nil || r.sent != nil {
		at := d.LastInform
		if v, ok := get(datamodel.UpTime); ok && !v.Timestamp.IsZero() {
			at = v.Timestamp
		}
		if !at.IsZero() {
			r.healthAt = &at
		}
	}
	tree := make(map[string]bool, len(d.Params))
	for path, p := range d.Params {
		tree[path] = p.Writable == nil || *p.Writable
	}
	r.caps, _ = datamodel.DeriveCaps(ident, tree, func(path string) bool { return d.Params[path].Value != nil })
	if why := r.unstorable(); why != "" {
		return stageRow{}, why
	}
	return r, ""
}
