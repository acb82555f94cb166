package action

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
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/validation"
)

// Kinds of task.
const (
	KindWiFi         = "wifi"
	KindParameters   = "parameters"
	KindReboot       = "reboot"
	KindFactoryReset = "factory_reset"
	KindSpeedTest    = "speed_test"
	KindPing         = "ping"
	KindTraceroute   = "traceroute"
	KindWiFiScan     = "wifi_scan"
	KindWiFiChannel  = "wifi_channel"
	KindRefresh      = "refresh"
	KindTagAdd       = "tag_add"
	KindTagRemove    = "tag_remove"
)

// Kinds lists every kind, for filters.
func Kinds() []string {
	return []string{KindWiFi, KindParameters, KindReboot, KindFactoryReset, KindSpeedTest, KindPing, KindTraceroute, KindWiFiScan, KindWiFiChannel, KindRefresh, KindTagAdd, KindTagRemove}
}

// Statuses of a task.
const (
	StatusPending = "pending"
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
	StatusExpired = "expired"
	// StatusSuperseded: the device did not keep the value because a later
	// task changed the same parameter.
	StatusSuperseded = "superseded"
	StatusCancelled  = "cancelled"
)

// Statuses lists every status, for filters.
func Statuses() []string {
	return []string{StatusPending, StatusQueued, StatusRunning, StatusDone, StatusFailed, StatusExpired, StatusCancelled, StatusSuperseded}
}

// Task is one action on one device and its truthful status.
type Task struct {
	ID             uuid.UUID       `json:"id" db:"id"`
	DeviceID       uuid.UUID       `json:"deviceId" db:"device_id"`
	Serial         string          `json:"serial" db:"serial_norm"`
	BulkID         *uuid.UUID      `json:"bulkId,omitempty" db:"bulk_id"`
	Kind           string          `json:"kind" db:"kind"`
	Summary        string          `json:"summary" db:"summary"`
	Status         string          `json:"status" db:"status"`
	Message        string          `json:"message,omitempty" db:"message"`
	FaultCode      string          `json:"faultCode,omitempty" db:"fault_code"`
	GenieACSTaskID string          `json:"genieacsTaskId,omitempty" db:"genieacs_task_id"`
	Result         json.RawMessage `json:"result,omitempty" db:"result"`
	Actor          string          `json:"actor" db:"actor_label"`
	ExpiresAt      time.Time       `json:"expiresAt" db:"expires_at"`
	CreatedAt      time.Time       `json:"createdAt" db:"created_at"`
	UpdatedAt      time.Time       `json:"updatedAt" db:"updated_at"`
	FinishedAt     *time.Time      `json:"finishedAt,omitempty" db:"finished_at"`
}

// Finished reports whether the task reached an end state.
func (t Task) Finished() bool {
	switch t.Status {
	case StatusDone, StatusFailed, StatusExpired, StatusCancelled, StatusSuperseded:
		return true
	}
	return false
}

// Retryable reports whether Retry applies: a failed, expired or cancelled
// task is sent again; a queued one wakes its device.
func (t Task) Retryable() bool {
	switch t.Status {
	case StatusFailed, StatusExpired, StatusCancelled, StatusQueued:
		return true
	}
	return false
}

// Cancellable reports whether Cancel applies.
func (t Task) Cancellable() bool {
	switch t.Status {
	case StatusPending, StatusQueued, StatusRunning:
		return true
	case StatusFailed:
		return t.GenieACSTaskID != ""
	}
	return false
}

// Service runs actions. FSURL is where devices reach genieacs-fs
// (GENIEACS_FS_PUBLIC_URL, else GENIEACS_FS_URL): the speed test's default
// file lives there.
type Service struct {
	pool *pgxpool.Pool
	box  *secret.Box
	acs  *genieacs.Client
	jobs outbox.JobInserter
	// devices lists and counts devices for bulk actions.
	devices *cpe.Service
	// FSURL is the genieacs-fs base URL as devices reach it ("" when not
	// configured).
	FSURL string
	// Lifetime is how long a task may wait for its device (default 24 h).
	Lifetime time.Duration
	// FollowEvery is how often a job checks a task that is not finished
	// (default 15 s).
	FollowEvery time.Duration
	// InlineWait bounds how long a request waits for GenieACS before it
	// answers 202 (default 25 s).
	InlineWait time.Duration
	// DiagnosticsWait bounds how long a device may take to report the
	// results of a ping or speed test (default 15 minutes).
	DiagnosticsWait time.Duration
	// BulkRate is the bulk job's pace toward GenieACS, devices per second
	// (default 20), with BulkParallel calls in flight (default 4).
	BulkRate     float64
	BulkParallel int
}

// NewService returns the action service. acs may be nil (GenieACS not
// configured): every action is then refused.
func NewService(pool *pgxpool.Pool, box *secret.Box, acs *genieacs.Client, jobs outbox.JobInserter, devices *cpe.Service) *Service {
	return &Service{pool: pool, box: box, acs: acs, jobs: jobs, devices: devices}
}

// Enabled reports whether actions can be sent (GenieACS is configured).
func (s *Service) Enabled() bool { return s != nil && s.acs != nil }

func (s *Service) lifetime() time.Duration {
	if s.Lifetime > 0 {
		return s.Lifetime
	}
	return 24 * time.Hour
}

func (s *Service) followEvery() time.Duration {
	if s.FollowEvery > 0 {
		return s.FollowEvery
	}
	return 15 * time.Second
}

func (s *Service) diagnosticsWait() time.Duration {
	if s.DiagnosticsWait > 0 {
		return s.DiagnosticsWait
	}
	return 15 * time.Minute
}

func (s *Service) inlineWait() time.Duration {
	if s.InlineWait > 0 {
		return s.InlineWait
	}
	return 25 * time.Second
}

// errNotConfigured: no GenieACS to act through.
func errNotConfigured() error {
	return validation.Errors{"device": "GenieACS is not configured on this installation, so devices cannot be acted on"}
}

// TaskArgs follows one task until it ends.
type TaskArgs struct {
	TaskID uuid.UUID `json:"task_id"`
}

// Kind implements river.JobArgs.
func (TaskArgs) Kind() string { return "cpe_task" }

// InsertOpts puts task jobs on the GenieACS queue.
func (TaskArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 50}
}

// target is the device a task acts on.
type target struct {
	id           uuid.UUID
	orgID        uuid.UUID
	serial       string
	genieID      string
	manufacturer string
	oui, product string
	dataModel    string
	caps         datamodel.Caps // nil: not known yet (nothing is refused in advance)
}

// identity is what the data model's vendor overrides match on.
func (t target) identity() datamodel.Identity {
	return datamodel.Identity{Manufacturer: t.manufacturer, OUI: t.oui, ProductClass: t.product, Root: t.root()}
}

func (t target) root() string {
	if t.dataModel == "TR-181" {
		return "Device"
	}
	return "InternetGatewayDevice"
}

// targetColumns are read from cpe_devices d into a targetRow by name.
const targetColumns = `d.id, d.org_id, d.serial_norm, COALESCE(d.genieacs_id, '') AS genieacs_id, d.manufacturer, d.oui,
	d.product_class, d.data_model, d.capabilities`

// targetRow is a target as read.
type targetRow struct {
	ID           uuid.UUID      `db:"id"`
	OrgID        *uuid.UUID     `db:"org_id"`
	Serial       string         `db:"serial_norm"`
	GenieID      string         `db:"genieacs_id"`
	Manufacturer string         `db:"manufacturer"`
	OUI          string         `db:"oui"`
	Product      string         `db:"product_class"`
	DataModel    string         `db:"data_model"`
	Caps         datamodel.Caps `db:"capabilities"`
}

// target is the row's target; a device of no organization has the zero
// orgID.
func (r targetRow) target() target {
	t := target{id: r.ID, serial: r.Serial, genieID: r.GenieID, manufacturer: r.Manufacturer,
		oui: r.OUI, product: r.Product, dataModel: r.DataModel, caps: r.Caps}
	if r.OrgID != nil {
		t.orgID = *r.OrgID
	}
	return t
}

// device reads one device of the organization (ErrNotFound otherwise).
func device(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (target, error) {
	r, err := db.One[targetRow](ctx, exec, `SELECT `+targetColumns+`
		FROM cpe_devices d WHERE d.org_id = $1 AND d.id = $2`, orgID, id)
	if err != nil {
		return target{}, db.MapErr(err)
	}
	return r.target(), nil
}

// request is what a task asks, sealed in the row: the GenieACS task is
// built from it at send time, against the device's tree as it then is.
type request struct {
	WiFi   *WiFiInput                `json:"wifi,omitempty"`
	Params []genieacs.ParameterValue `json:"params,omitempty"`
	Ping   *PingInput                `json:"ping,omitempty"`
	Trace  *TracerouteInput          `json:"traceroute,omitempty"`
	Scan   bool                      `json:"scan,omitempty"`
	Chan   *ChannelInput             `json:"channel,omitempty"`
	Speed  *SpeedTestInput           `json:"speed,omitempty"`
	Upload *UploadTestInput          `json:"upload,omitempty"`
	Tag    string                    `json:"tag,omitempty"`
	// Object: a refresh of this subtree (refreshObject) instead of the
	// health values.
	Object string `json:"object,omitempty"`
	// AddObject, DeleteObject: a table instance added or deleted (raw
	// parameter tasks).
	AddObject    string `json:"addObject,omitempty"`
	DeleteObject string `json:"deleteObject,omitempty"`
	// NoWake leaves the task for the device's next periodic inform.
	NoWake bool `json:"noWake,omitempty"`
}

// check is one thing to read back after the task ran.
type check struct {
	Path   string `json:"path"`
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret,omitempty"`
	// Await: a diagnostics state; the task runs until it leaves Requested.
	Await string `json:"await,omitempty"` // "download", "upload", "ping" or "traceroute"
	// Refresh: the GenieACS task is the refresh of this object, read before
	// the task itself is built.
	Refresh string `json:"refresh,omitempty"`
	// Note is said when the task is done.
	Note string `json:"note,omitempty"`
}

// newTask is a task to record.
type newTask struct {
	kind    string
	summary string
	req     request
	bulkID  *uuid.UUID
	// extra runs inside the recording transaction (Wi-Fi keeps the
	// desired state for identify).
	extra func(ctx context.Context, tx pgx.Tx) error
}

// record writes the task, its audit row and its follow job in one
// transaction. The audit row is skipped for bulk tasks (the bulk action is
// audited once).
func (s *Service) record(ctx context.Context, tx pgx.Tx, a actor.Actor, dev target, nt newTask) (uuid.UUID, error) {
	body, err := json.Marshal(nt.req)
	if err != nil {
		return uuid.Nil, err
	}
	sealed, kid := s.box.Seal(body, nil)
	var id uuid.UUID
	if err := tx.QueryRow(ctx, `INSERT INTO cpe_tasks (org_id, device_id, bulk_id, kind, summary, request_enc, key_id, actor_label, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9::interval) RETURNING id`,
		dev.orgID, dev.id, nt.bulkID, nt.kind, validation.Storable(nt.summary, 500), sealed, kid, a.Label, s.lifetime().String()).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("record task: %w", err)
	}
	if nt.extra != nil {
		if err := nt.extra(ctx, tx); err != nil {
			return uuid.Nil, err
		}
	}
	if nt.bulkID == nil {
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "cpe." + nt.kind, TargetType: "cpe", TargetID: dev.id.String(),
			Summary: nt.summary + " on " + dev.serial}); err != nil {
			return uuid.Nil, err
		}
	}
	if _, err := s.jobs.InsertTx(ctx, tx, TaskArgs{TaskID: id}, &river.InsertOpts{ScheduledAt: time.Now().Add(s.followEvery())}); err != nil {
		return uuid.Nil, fmt.Errorf("queue task: %w", err)
	}
	return id, nil
}

// start records a task on one device and tries to send it at once, within
// InlineWait; whatever is not finished by then the job carries on.
func (s *Service) start(ctx context.Context, a actor.Actor, deviceID uuid.UUID, perm actor.Permission, build func(dev target) (newTask, error)) (Task, error) {
	if err := a.Require(perm); err != nil {
		return Task{}, err
	}
	if s.acs == nil {
		return Task{}, errNotConfigured()
	}
	dev, err := device(ctx, s.pool, a.OrgID, deviceID)
	if err != nil {
		return Task{}, err
	}
	nt, err := build(dev)
	if err != nil {
		return Task{}, err
	}
	if dev.genieID == "" && nt.kind != KindWiFi {
		// Wi-Fi is kept for the device's first BOOTSTRAP (identify hands
		// it over, FyberPay then checks it); the rest needs the device.
		return Task{}, validation.Errors{"device": "this device has not contacted GenieACS yet; actions are possible after its first inform"}
	}
	var id uuid.UUID
	if err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		id, err = s.record(ctx, tx, a, dev, nt)
		return err
	}); err != nil {
		return Task{}, err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.inlineWait())
	defer cancel()
	_ = s.advance(wctx, id) // failures are on the task row; the job retries
	return s.get(ctx, s.pool, a.OrgID, id)
}

// taskColumns are read into a Task by name (its db tags).
const taskColumns = `t.id, t.device_id, d.serial_norm, t.bulk_id, t.kind, t.summary, t.status, t.message, t.fault_code,
	t.genieacs_task_id, t.result, t.actor_label, t.expires_at, t.created_at, t.updated_at, t.finished_at`

func (s *Service) get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (Task, error) {
	t, err := db.One[Task](ctx, exec, `SELECT `+taskColumns+` FROM cpe_tasks t JOIN cpe_devices d ON d.id = t.device_id
		WHERE t.org_id = $1 AND t.id = $2`, orgID, id)
	return t, db.MapErr(err)
}

// Get returns one task of the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Task, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Task{}, err
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}

// Filter narrows a task listing.
type Filter struct {
	Status string
	Kind   string
	Device *uuid.UUID
	Bulk   *uuid.UUID
	After  string
	Limit  int // default 50, max 500
}

// Page is a page of tasks.
type Page struct {
	Items []Task `json:"items"`
	Next  string `json:"next,omitempty"`
}

type taskCursor struct {
	T time.Time `json:"t"`
	I uuid.UUID `json:"i"`
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// List returns the organization's tasks, newest first, keyset-paged.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Page{}, err
	}
	errs := validation.Errors{}
	if f.Status != "" && !oneOf(f.Status, Statuses()) {
		errs.Add("status", "must be one of "+strings.Join(Statuses(), ", "))
	}
	if f.Kind != "" && !oneOf(f.Kind, Kinds()) {
		errs.Add("kind", "must be one of "+strings.Join(Kinds(), ", "))
	}
	if f.Limit < 0 || f.Limit > 500 {
		errs.Add("limit", "must be between 1 and 500")
	}
	var after taskCursor
	if f.After != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.After)
		if err == nil {
			err = json.Unmarshal(b, &after)
		}
		if err != nil {
			errs.Add("after", "is not a cursor from a previous page")
		}
	}
	if err := errs.Err(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	where, args := []string{"t.org_id = $1"}, []any{a.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "t.status = "+arg(f.Status))
	}
	if f.Kind != "" {
		where = append(where, "t.kind = "+arg(f.Kind))
	}
	if f.Device != nil {
		where = append(where, "t.device_id = "+arg(*f.Device))
	}
	if f.Bulk != nil {
		where = append(where, "t.bulk_id = "+arg(*f.Bulk))
	}
	if f.After != "" {
		where = append(where, "(t.created_at, t.id) < ("+arg(after.T)+", "+arg(after.I)+")")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+taskColumns+` FROM cpe_tasks t JOIN cpe_devices d ON d.id = t.device_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY t.created_at DESC, t.id DESC LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list tasks: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Task])
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if len(p.Items) > f.Limit {
		p.Items = p.Items[:f.Limit]
		last := p.Items[f.Limit-1]
		b, _ := json.Marshal(taskCursor{T: last.CreatedAt, I: last.ID})
		p.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// permFor is the permission a task's kind needs.
func permFor(kind string) actor.Permission {
	if kind == KindParameters || kind == KindTagAdd || kind == KindTagRemove {
		return actor.PermAdvancedConfig
	}
	return actor.PermDeviceAction
}

// Retry sends a failed, expired or cancelled task again (GenieACS's retry
// when it still holds the task), or wakes the device of a queued one.
func (s *Service) Retry(ctx context.Context, a actor.Actor, id uuid.UUID) (Task, error) {
	t, err := s.Get(ctx, a, id)
	if err != nil {
		return Task{}, err
	}
	if err := a.Require(permFor(t.Kind)); err != nil {
		return Task{}, err
	}
	if s.acs == nil {
		return Task{}, errNotConfigured()
	}
	if !t.Retryable() {
		return Task{}, validation.Errors{"status": "a " + t.Status + " task cannot be retried"}
	}
	dev, err := device(ctx, s.pool, a.OrgID, t.DeviceID)
	if err != nil {
		return Task{}, err
	}
	live := false
	if t.GenieACSTaskID != "" {
		ts, err := s.acs.Tasks(ctx, map[string]any{"_id": t.GenieACSTaskID})
		if err != nil {
			return Task{}, err
		}
		live = len(ts) > 0
	}
	switch {
	case live && t.Status == StatusFailed:
		if err := s.acs.RetryTask(ctx, t.GenieACSTaskID); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return Task{}, err
		}
		_, _, _ = s.acs.WakeUp(ctx, dev.genieID)
	case live:
		_, _, _ = s.acs.WakeUp(ctx, dev.genieID)
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if live {
			_, err = tx.Exec(ctx, `UPDATE cpe_tasks SET status = 'queued', message = 'retried: waiting for the device', fault_code = '',
				finished_at = NULL, updated_at = now(), expires_at = GREATEST(expires_at, now() + $2::interval) WHERE id = $1`, id, s.lifetime().String())
		} else {
			_, err = tx.Exec(ctx, `UPDATE cpe_tasks SET status = 'pending', message = '', fault_code = '', genieacs_task_id = '', checks = '[]', result = NULL,
				finished_at = NULL, send_claimed_at = NULL, updated_at = now(), expires_at = now() + $2::interval WHERE id = $1`, id, s.lifetime().String())
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.task_retry", TargetType: "cpe", TargetID: dev.id.String(),
			Summary: "retried " + t.Summary + " on " + dev.serial}); err != nil {
			return err
		}
		_, err = s.jobs.InsertTx(ctx, tx, TaskArgs{TaskID: id}, &river.InsertOpts{ScheduledAt: time.Now().Add(s.followEvery())})
		return err
	})
	if err != nil {
		return Task{}, err
	}
	if !live {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.inlineWait())
		defer cancel()
		_ = s.advance(wctx, id)
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}

// Cancel deletes the task from GenieACS (so the device never runs it) and
// marks it cancelled.
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id uuid.UUID) (Task, error) {
	t, err := s.Get(ctx, a, id)
	if err != nil {
		return Task{}, err
	}
	if err := a.Require(permFor(t.Kind)); err != nil {
		return Task{}, err
	}
	if !t.Cancellable() {
		return Task{}, validation.Errors{"status": "a " + t.Status + " task cannot be cancelled"}
	}
	if t.GenieACSTaskID != "" && s.acs != nil {
		if err := s.acs.DeleteTask(ctx, t.GenieACSTaskID); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return Task{}, err
		}
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE cpe_tasks SET status = 'cancelled', message = 'cancelled by '||$2, finished_at = now(), updated_at = now()
			WHERE id = $1 AND status IN ('pending', 'queued', 'running', 'failed')`, id, a.Label)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return validation.Errors{"status": "the task has just finished"}
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.task_cancel", TargetType: "cpe", TargetID: t.DeviceID.String(),
			Summary: "cancelled " + t.Summary + " on " + t.Serial}); err != nil {
			return err
		}
		return s.finishedEvent(ctx, tx, id)
	})
	if err != nil {
		return Task{}, err
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}

// finishedEvent writes cpe.task_finished for a task, in tx.
func (s *Service) finishedEvent(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	t, err := db.One[struct {
		OrgID     uuid.UUID `db:"org_id"`
		DeviceID  uuid.UUID `db:"device_id"`
		Kind      string    `db:"kind"`
		Status    string    `db:"status"`
		Message   string    `db:"message"`
		FaultCode string    `db:"fault_code"`
		Serial    string    `db:"serial_norm"`
		Summary   string    `db:"summary"`
	}](ctx, tx, `SELECT t.org_id, t.device_id, t.kind, t.status, t.message, t.fault_code, d.serial_norm, t.summary
		FROM cpe_tasks t JOIN cpe_devices d ON d.id = t.device_id WHERE t.id = $1`, id)
	if err != nil {
		return err
	}
	_, err = outbox.Write(ctx, tx, s.jobs, t.OrgID, outbox.TopicTaskFinished, map[string]any{
		"taskId": id, "deviceId": t.DeviceID, "serial": t.Serial, "kind": t.Kind, "status": t.Status,
		"message": t.Message, "faultCode": t.FaultCode, "summary": t.Summary,
	})
	return err
}
