package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// BulkFilter is the device list's filter, as the bulk action stores it.
type BulkFilter struct {
	Serial     string `json:"serial,omitempty"`
	Subscriber string `json:"subscriber,omitempty"`
	Model      string `json:"model,omitempty"`
	Firmware   string `json:"firmware,omitempty"`
	Tag        string `json:"tag,omitempty"`
	PONPort    string `json:"ponPort,omitempty"`
	Status     string `json:"status,omitempty"`
}

func (f BulkFilter) device() cpe.Filter {
	return cpe.Filter{Serial: f.Serial, Subscriber: f.Subscriber, Model: f.Model, Firmware: f.Firmware, Tag: f.Tag, PONPort: f.PONPort, Status: f.Status}
}

// String describes the filter for people.
func (f BulkFilter) String() string {
	var parts []string
	for _, p := range [][2]string{{"serial", f.Serial}, {"subscriber", f.Subscriber}, {"model", f.Model}, {"firmware", f.Firmware}, {"tag", f.Tag}, {"PON port", f.PONPort}, {"status", f.Status}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	if len(parts) == 0 {
		return "all devices"
	}
	return strings.Join(parts, ", ")
}

// BulkInput is POST /cpe/devices/bulk: an action on the given devices or
// on every device matching a filter.
type BulkInput struct {
	Action string      `json:"action"` // reboot, refresh, tag_add, tag_remove
	Tag    string      `json:"tag,omitempty"`
	IDs    []uuid.UUID `json:"ids,omitempty"`
	Filter *BulkFilter `json:"filter,omitempty"`
	// Confirm is the number of devices the caller expects to act on. A
	// reboot of more than BulkConfirmOver devices needs it; when given it
	// must equal the count, so a filter that matches more than was meant
	// starts nothing.
	Confirm string `json:"confirm,omitempty"`
}

// BulkConfirmOver is how many devices a bulk reboot may reach without the
// count confirmed (typed by a person, or sent by an integrator).
const BulkConfirmOver = 20

// ConfirmError is a bulk action that needs its count confirmed: nothing
// was started. It reads as a validation error on "confirm".
type ConfirmError struct {
	Total   int    // the devices it would act on
	Summary string // "reboot on all devices"
	Verb    string // "Reboot"
	Typed   string // what was sent instead ("" when nothing)
}

func (e *ConfirmError) fields() validation.Errors {
	msg := fmt.Sprintf("this would %s %d devices; confirm with the number %d", strings.ToLower(e.Verb), e.Total, e.Total)
	if e.Typed != "" {
		msg = fmt.Sprintf("%q is not the number of devices (%d)", e.Typed, e.Total)
	}
	return validation.Errors{"confirm": msg}
}

func (e *ConfirmError) Error() string { return e.fields().Error() }

// Unwrap lets it be handled as validation errors (422 naming confirm).
func (e *ConfirmError) Unwrap() error { return e.fields() }

// BulkActions are the actions offered on many devices (no factory reset,
// no raw parameters).
func BulkActions() []string { return []string{KindReboot, KindRefresh, KindTagAdd, KindTagRemove} }

// Bulk is a bulk action and its progress.
type Bulk struct {
	ID         uuid.UUID      `json:"id" db:"id"`
	Kind       string         `json:"action" db:"kind"`
	Tag        string         `json:"tag,omitempty" db:"tag"`
	Summary    string         `json:"summary" db:"summary"`
	Actor      string         `json:"actor" db:"actor_label"`
	Status     string         `json:"status" db:"status"` // running, done, failed
	Message    string         `json:"message,omitempty" db:"message"`
	Total      int            `json:"total" db:"total"`
	Processed  int            `json:"processed" db:"processed"`
	Counts     map[string]int `json:"counts" db:"-"` // task statuses, counted apart
	CreatedAt  time.Time      `json:"createdAt" db:"created_at"`
	FinishedAt *time.Time     `json:"finishedAt,omitempty" db:"finished_at"`
}

// Percent is the share of devices processed.
func (b Bulk) Percent() int {
	if b.Total == 0 {
		return 100
	}
	return b.Processed * 100 / b.Total
}

// BulkArgs runs a bulk action.
type BulkArgs struct {
	BulkID uuid.UUID `json:"bulk_id"`
}

// Kind implements river.JobArgs.
func (BulkArgs) Kind() string { return "cpe_bulk" }

// InsertOpts puts bulk jobs on the GenieACS queue.
func (BulkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 10}
}

var tagRE = regexp.MustCompile(`^[A-Za-z0-9._:@/+-]{1,64}$`)

// maxBulkIDs bounds an explicit selection.
const maxBulkIDs = 10000

// StartBulk records a bulk action and queues its job.
func (s *Service) StartBulk(ctx context.Context, a actor.Actor, in BulkInput) (Bulk, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Bulk{}, err
	}
	errs := validation.Errors{}
	if !oneOf(in.Action, BulkActions()) {
		if in.Action == KindFactoryReset || in.Action == KindParameters {
			errs.Add("action", "is not offered on many devices at once; act on one device from its page")
		} else {
			errs.Add("action", "must be one of "+strings.Join(BulkActions(), ", "))
		}
		return Bulk{}, errs
	}
	if err := a.Require(permFor(in.Action)); err != nil {
		return Bulk{}, err
	}
	if s.acs == nil {
		return Bulk{}, errNotConfigured()
	}
	in.Tag = strings.TrimSpace(in.Tag)
	if in.Action == KindTagAdd || in.Action == KindTagRemove {
		switch {
		case in.Tag == "":
			errs.Add("tag", "is required")
		case !tagRE.MatchString(in.Tag):
			errs.Add("tag", "must be 1 to 64 letters, digits or . _ : @ / + -")
		case devtag.Managed(in.Tag):
			errs.Add("tag", "org:, sub: and plan: tags are managed by FyberPay from assignments")
		}
	} else {
		in.Tag = ""
	}
	switch {
	case len(in.IDs) > 0 && in.Filter != nil:
		errs.Add("ids", "give either ids or filter, not both")
	case len(in.IDs) == 0 && in.Filter == nil:
		errs.Add("ids", "select devices, or give a filter for every matching device")
	case len(in.IDs) > maxBulkIDs:
		errs.Add("ids", fmt.Sprintf("at most %d devices; use a filter for more", maxBulkIDs))
	}
	if err := errs.Err(); err != nil {
		return Bulk{}, err
	}
	var total int
	var what string
	if in.Filter != nil {
		n, err := s.devices.Count(ctx, a, in.Filter.device())
		if err != nil {
			var ve validation.Errors
			if errors.As(err, &ve) {
				out := validation.Errors{}
				for k, v := range ve {
					out["filter."+k] = v
				}
				return Bulk{}, out
			}
			return Bulk{}, err
		}
		total, what = n, in.Filter.String()
		if total == 0 {
			return Bulk{}, validation.Errors{"filter": "matches no devices"}
		}
	} else {
		ids := uniqueIDs(in.IDs)
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices WHERE org_id = $1 AND id = ANY($2)`, a.OrgID, ids).Scan(&total); err != nil {
			return Bulk{}, err
		}
		if total != len(ids) {
			return Bulk{}, db.ErrNotFound // a device of another organization, or gone
		}
		in.IDs, what = ids, fmt.Sprintf("%d selected devices", total)
	}
	summary := bulkVerb(in.Action, in.Tag) + " on " + what
	typed := strings.TrimSpace(in.Confirm)
	if (typed != "" || (in.Action == KindReboot && total > BulkConfirmOver)) && typed != strconv.Itoa(total) {
		return Bulk{}, &ConfirmError{Total: total, Summary: summary, Verb: BulkLabel(in.Action), Typed: typed}
	}
	var filter []byte
	if in.Filter != nil {
		filter, _ = json.Marshal(in.Filter)
	}
	var id uuid.UUID
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO cpe_bulk_actions (org_id, kind, tag, device_ids, filter, summary, actor_label, total)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			a.OrgID, in.Action, in.Tag, nilIfEmpty(in.IDs), filter, summary, a.Label, total).Scan(&id); err != nil {
			return fmt.Errorf("record bulk action: %w", err)
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.bulk_" + in.Action, TargetType: "cpe_bulk", TargetID: id.String(),
			Summary: fmt.Sprintf("%s (%d devices)", summary, total)}); err != nil {
			return err
		}
		_, err := s.jobs.InsertTx(ctx, tx, BulkArgs{BulkID: id}, nil)
		return err
	})
	if err != nil {
		return Bulk{}, err
	}
	return s.GetBulk(ctx, a, id)
}

// BulkLabel is a bulk action's name for people ("Reboot").
func BulkLabel(kind string) string {
	switch kind {
	case KindReboot:
		return "Reboot"
	case KindRefresh:
		return "Refresh health values on"
	case KindTagAdd:
		return "Add a tag to"
	case KindTagRemove:
		return "Remove a tag from"
	}
	return kind
}

func bulkVerb(kind, tag string) string {
	switch kind {
	case KindTagAdd:
		return "add tag " + tag
	case KindTagRemove:
		return "remove tag " + tag
	case KindRefresh:
		return "refresh"
	}
	return kind
}

func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func nilIfEmpty(ids []uuid.UUID) []uuid.UUID {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// GetBulk returns a bulk action with its task counts.
func (s *Service) GetBulk(ctx context.Context, a actor.Actor, id uuid.UUID) (Bulk, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Bulk{}, err
	}
	b, err := db.One[Bulk](ctx, s.pool, `SELECT id, kind, tag, summary, actor_label, status, message, total, processed, created_at, finished_at
		FROM cpe_bulk_actions WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	if err != nil {
		return Bulk{}, db.MapErr(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) AS n FROM cpe_tasks WHERE bulk_id = $1 GROUP BY status`, id)
	if err != nil {
		return Bulk{}, err
	}
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}])
	if err != nil {
		return Bulk{}, err
	}
	b.Counts = map[string]int{}
	for _, c := range counts {
		b.Counts[c.Status] = c.N
	}
	return b, nil
}

// BulkWorker runs a bulk action (Service.runBulk) a slice at a time.
type BulkWorker struct {
	river.WorkerDefaults[BulkArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *BulkWorker) Timeout(*river.Job[BulkArgs]) time.Duration { return 10 * time.Minute }

// Work runs one slice; the next follows at once.
func (w *BulkWorker) Work(ctx context.Context, job *river.Job[BulkArgs]) error {
	more, err := w.Service.runBulk(ctx, job.Args.BulkID)
	switch {
	case errors.Is(err, errBulkGone):
		return river.JobCancel(err)
	case err != nil:
		return err
	case more:
		return river.JobSnooze(time.Millisecond) // next slice
	}
	return nil
}

const (
	bulkPage  = 100
	bulkSlice = 4 * time.Minute
)

// errBulkGone is a bulk action deleted while its job waited.
var errBulkGone = errors.New("bulk action deleted")

// runBulk walks a bulk action's devices: one task each, sent at a limited
// rate with a few in flight, progress counted as it goes. It works for a
// slice of a few minutes, resuming from the action's cursor; more is true
// when devices are left for another slice.
func (s *Service) runBulk(ctx context.Context, bulkID uuid.UUID) (more bool, err error) {
	b, err := db.One[struct {
		OrgID     uuid.UUID   `db:"org_id"`
		Kind      string      `db:"kind"`
		Tag       string      `db:"tag"`
		DeviceIDs []uuid.UUID `db:"device_ids"`
		Filter    []byte      `db:"filter"`
		Status    string      `db:"status"`
		Cursor    string      `db:"cursor"`
		Label     string      `db:"actor_label"`
	}](ctx, s.pool, `SELECT org_id, kind, tag, device_ids, filter, status, cursor, actor_label FROM cpe_bulk_actions WHERE id = $1`, bulkID)
	if errors.Is(db.MapErr(err), db.ErrNotFound) {
		return false, errBulkGone
	} else if err != nil {
		return false, err
	}
	if b.Status != "running" {
		return false, nil
	}
	kind, tag, ids, filter, cursor := b.Kind, b.Tag, b.DeviceIDs, b.Filter, b.Cursor
	a := actor.System(b.OrgID)
	a.Label = b.Label
	rateLimit := s.BulkRate
	if rateLimit <= 0 {
		rateLimit = 20
	}
	parallel := s.BulkParallel
	if parallel <= 0 {
		parallel = 4
	}
	limiter := rate.NewLimiter(rate.Limit(rateLimit), parallel)
	started := time.Now()
	for time.Since(started) < bulkSlice {
		page, next, err := s.bulkPage(ctx, a, bulkID, ids, filter, cursor)
		if err != nil {
			return false, s.stopBulk(ctx, bulkID, err)
		}
		if len(page) > 0 {
			if err := s.bulkRun(ctx, a, bulkID, kind, tag, page, limiter, parallel); err != nil {
				return false, err
			}
		}
		if next == "" {
			_, err := s.pool.Exec(ctx, `UPDATE cpe_bulk_actions SET status = 'done', processed = total, cursor = '', finished_at = now(), updated_at = now() WHERE id = $1`, bulkID)
			return false, err
		}
		cursor = next
		if _, err := s.pool.Exec(ctx, `UPDATE cpe_bulk_actions SET cursor = $2, updated_at = now() WHERE id = $1`, bulkID, cursor); err != nil {
			return false, err
		}
	}
	return true, nil
}

// stopBulk ends a bulk action whose selection can no longer be read.
func (s *Service) stopBulk(ctx context.Context, id uuid.UUID, cause error) error {
	var ve validation.Errors
	if !errors.As(cause, &ve) {
		return cause
	}
	_, err := s.pool.Exec(ctx, `UPDATE cpe_bulk_actions SET status = 'failed', message = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
		id, validation.Storable(cause.Error(), 300))
	return err
}

// bulkPage returns the next devices after cursor (ids in serial order, or
// the filter's keyset page) and the cursor after them ("" at the end).
func (s *Service) bulkPage(ctx context.Context, a actor.Actor, bulkID uuid.UUID, ids []uuid.UUID, filter []byte, cursor string) ([]target, string, error) {
	var devIDs []uuid.UUID
	next := ""
	if len(filter) > 0 {
		var f BulkFilter
		if err := json.Unmarshal(filter, &f); err != nil {
			return nil, "", err
		}
		df := f.device()
		df.After, df.Limit = cursor, bulkPage
		p, err := s.devices.List(ctx, a, df)
		if err != nil {
			return nil, "", err
		}
		for _, d := range p.Items {
			devIDs = append(devIDs, d.ID)
		}
		next = p.Next
	} else {
		rows, err := s.pool.Query(ctx, `SELECT id, serial_norm FROM cpe_devices WHERE org_id = $1 AND id = ANY($2) AND serial_norm > $3
			ORDER BY serial_norm LIMIT $4`, a.OrgID, ids, cursor, bulkPage+1)
		if err != nil {
			return nil, "", err
		}
		devs, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
			ID     uuid.UUID `db:"id"`
			Serial string    `db:"serial_norm"`
		}])
		if err != nil {
			return nil, "", err
		}
		for _, d := range devs {
			devIDs = append(devIDs, d.ID)
		}
		if len(devs) > bulkPage {
			devIDs, next = devIDs[:bulkPage], devs[bulkPage-1].Serial
		}
	}
	// Devices that already have their task (a resumed slice) are skipped.
	rows, err := s.pool.Query(ctx, `SELECT `+targetColumns+`
		FROM cpe_devices d WHERE d.id = ANY($1) AND d.org_id = $2
		AND NOT EXISTS (SELECT 1 FROM cpe_tasks t WHERE t.bulk_id = $3 AND t.device_id = d.id) ORDER BY d.serial_norm`, devIDs, a.OrgID, bulkID)
	if err != nil {
		return nil, "", err
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByName[targetRow])
	if err != nil {
		return nil, "", err
	}
	var out []target
	for _, r := range found {
		out = append(out, r.target())
	}
	return out, next, nil
}

// bulkRun records one task per device (one transaction for the page) and
// sends them at the limited rate.
func (s *Service) bulkRun(ctx context.Context, a actor.Actor, bulkID uuid.UUID, kind, tag string, page []target, limiter *rate.Limiter, parallel int) error {
	ids := make([]uuid.UUID, len(page))
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for i, dev := range page {
			var err error
			ids[i], err = s.record(ctx, tx, a, dev, newTask{kind: kind, summary: bulkVerb(kind, tag), req: request{Tag: tag}, bulkID: &bulkID})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, id := range ids {
		if err := limiter.Wait(ctx); err != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(id uuid.UUID) {
			defer func() { <-sem; wg.Done() }()
			_ = s.advance(ctx, id) // the task's own job carries on from here
			_, _ = s.pool.Exec(ctx, `UPDATE cpe_bulk_actions SET processed = LEAST(total, processed + 1), updated_at = now() WHERE id = $1`, bulkID)
		}(id)
	}
	wg.Wait()
	return ctx.Err()
}
