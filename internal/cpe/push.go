package cpe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// Push states of a device's desired configuration.
const (
	PushNone    = ""
	PushPending = "pending"
	PushDone    = "done"
	PushFailed  = "failed"
)

// PushArgs pushes a device's desired state (managed tags, PPPoE) to
// GenieACS. RequestedAt identifies the request: a job older than the
// device's latest request stands down.
type PushArgs struct {
	DeviceID    uuid.UUID `json:"device_id" db:"device_id"`
	RequestedAt time.Time `json:"requested_at" db:"requested_at"`
}

// Kind implements river.JobArgs.
func (PushArgs) Kind() string { return "cpe_push" }

// InsertOpts puts pushes on the GenieACS queue.
func (PushArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 30}
}

// requestPush marks a device's desired state as not yet applied and queues
// the push, on the caller's transaction; why is shown until the push ends.
func (s *Service) requestPush(ctx context.Context, tx pgx.Tx, id uuid.UUID, why string) error {
	return s.requestPushes(ctx, tx, []uuid.UUID{id}, why)
}

// requestPushes does requestPush for the devices of organizations among
// ids (a pending device has nothing to push), in one statement.
func (s *Service) requestPushes(ctx context.Context, tx pgx.Tx, ids []uuid.UUID, why string) error {
	rows, err := tx.Query(ctx, `UPDATE cpe_devices SET push_state = 'pending', push_error = $2, push_task_id = '',
		push_requested_at = clock_timestamp(), updated_at = now() WHERE id = ANY($1) AND org_id IS NOT NULL
		RETURNING id AS device_id, push_requested_at AS requested_at`, ids, why)
	if err != nil {
		return fmt.Errorf("request push: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (river.InsertManyParams, error) {
		a, err := pgx.RowToStructByName[PushArgs](row)
		return river.InsertManyParams{Args: a}, err
	})
	if err != nil {
		return fmt.Errorf("request push: %w", err)
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := s.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return fmt.Errorf("queue push: %w", err)
	}
	return nil
}

// Why a push was requested, as the device page shows it until it ends.
const (
	WhyBootstrapped = "checking what the device took at its BOOTSTRAP"
	WhyReset        = "the device was reset to factory defaults; it is configured again at its BOOTSTRAP"
)

// Rejudge requests a push of a device of an organization (nothing for a
// pending one): its configuration is checked again against GenieACS and
// applied where it differs. Called after a factory reset, whose device
// lost what it had.
func (s *Service) Rejudge(ctx context.Context, id uuid.UUID, why string) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error { return s.requestPushes(ctx, tx, []uuid.UUID{id}, why) })
}

// rejudgeMany is Rejudge for identify's batch of BOOTSTRAPs.
func (s *Service) rejudgeMany(ctx context.Context, ids []uuid.UUID) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error { return s.requestPushes(ctx, tx, ids, WhyBootstrapped) })
}

// PushWorker runs a device's push (Service.Push) step by step: a queued
// GenieACS task → look again after Wait; a push that can never run →
// cancel; a transient failure → River retries on Backoff (the breaker open:
// the jobs middleware, jobs.BreakerSnooze, snoozes the job instead).
type PushWorker struct {
	river.WorkerDefaults[PushArgs]
	Service *Service
	Client  *genieacs.Client
	// Wait is how long to wait before checking a queued task again
	// (default 15 s).
	Wait time.Duration
	// Backoff is the retry delay after a transport failure (default
	// 2 s × 2^attempt, capped at 2 min).
	Backoff func(attempt int) time.Duration
}

// NextRetry implements river.Worker.
func (w *PushWorker) NextRetry(job *river.Job[PushArgs]) time.Time {
	if w.Backoff != nil {
		return time.Now().Add(w.Backoff(job.Attempt))
	}
	return time.Now().Add(min(2*time.Second<<min(job.Attempt, 10), 2*time.Minute))
}

func (w *PushWorker) wait() time.Duration {
	if w.Wait > 0 {
		return w.Wait
	}
	return 15 * time.Second
}

// Work runs one step of the push.
func (w *PushWorker) Work(ctx context.Context, job *river.Job[PushArgs]) error {
	wait, err := w.Service.Push(ctx, w.Client, job.Args)
	switch {
	case errors.Is(err, ErrPushCancelled):
		return river.JobCancel(err)
	case err != nil:
		return err
	case wait:
		return river.JobSnooze(w.wait())
	}
	return nil
}

// ErrPushCancelled marks a push that can never run: GenieACS is not
// configured, or the device is gone or no longer an organization's.
var ErrPushCancelled = errors.New("push cancelled")

// errPushWait is a step that left a task queued in GenieACS.
var errPushWait = errors.New("waiting for a GenieACS task")

// Push runs one step of a push (DESIGN.md §4, truthful task status):
// apply the device's desired state in GenieACS, or check the task an
// earlier step queued, and track it to its real outcome. wait is true when
// a task is queued in GenieACS and the push must look again later. An
// error wrapping ErrPushCancelled means the push can never run; any other
// error is transient (genieacs.ErrCircuitOpen while the breaker is open):
// the push stays pending and is to be tried again. A push request older
// than the device's latest is a no-op.
func (s *Service) Push(ctx context.Context, acs *genieacs.Client, args PushArgs) (wait bool, err error) {
	if acs == nil {
		return false, fmt.Errorf("%w: GenieACS is not configured", ErrPushCancelled)
	}
	p := &pusher{s: s, acs: acs, args: args}
	t, err := db.One[pushTarget](ctx, s.pool, `SELECT org_id, COALESCE(genieacs_id, '') AS genieacs_id, serial_norm, manufacturer, oui, product_class, data_model,
			push_task_id, push_requested_at, push_state, pppoe_clear, first_contact_at FROM cpe_devices WHERE id = $1`, args.DeviceID)
	if errors.Is(db.MapErr(err), db.ErrNotFound) || (err == nil && t.Org == nil) {
		return false, fmt.Errorf("%w: device gone or no longer owned", ErrPushCancelled)
	} else if err != nil {
		return false, err
	}
	t.orgID = *t.Org
	if t.RequestedAt == nil || t.RequestedAt.After(args.RequestedAt.Add(time.Millisecond)) || t.State != PushPending {
		return false, nil // a newer request took over, or nothing to do
	}
	if t.GenieID == "" {
		// Never contacted GenieACS: identify will hand it this state at its
		// first BOOTSTRAP.
		return false, p.finish(ctx, PushNone, "applies at the device's first contact")
	}
	err = p.step(ctx, t)
	switch {
	case errors.Is(err, errPushWait):
		return true, nil
	case err == nil, errors.Is(err, genieacs.ErrCircuitOpen):
		return false, err
	case errors.Is(err, genieacs.ErrDeviceNotFound) && t.FirstContact != nil && time.Since(*t.FirstContact) < firstSessionGrace:
		p.note(ctx, "waiting for GenieACS to save the device's first session")
		return true, nil
	case errors.Is(err, genieacs.ErrDeviceNotFound):
		return false, p.finish(ctx, PushFailed, "GenieACS does not know this device (deleted from GenieACS?)")
	case errors.Is(err, errNoPPP):
		return false, p.finish(ctx, PushFailed, err.Error())
	}
	if genieacs.IsRetryable(err) {
		p.note(ctx, err.Error())
		return false, err
	}
	return false, p.finish(ctx, PushFailed, err.Error())
}

// pusher is one step of one push.
type pusher struct {
	s    *Service
	acs  *genieacs.Client
	args PushArgs
}

func (t pushTarget) root() string {
	if t.Model == "TR-181" {
		return datamodel.TR181
	}
	return datamodel.TR098
}

func (t pushTarget) identity() datamodel.Identity {
	return datamodel.Identity{Manufacturer: t.Manufacturer, OUI: t.OUI, ProductClass: t.Product, Root: t.root()}
}

// pushTarget is what a push reads about the device.
type pushTarget struct {
	Org          *uuid.UUID `db:"org_id"` // nil: no longer an organization's
	GenieID      string     `db:"genieacs_id"`
	Serial       string     `db:"serial_norm"`
	Manufacturer string     `db:"manufacturer"`
	OUI          string     `db:"oui"`
	Product      string     `db:"product_class"`
	Model        string     `db:"data_model"`
	TaskID       string     `db:"push_task_id"`
	RequestedAt  *time.Time `db:"push_requested_at"`
	State        string     `db:"push_state"`
	// Clear: the device was moved off its subscriber; its PPPoE login is
	// to be emptied (and the connection disabled) unless it has one again.
	Clear bool `db:"pppoe_clear"`
	// FirstContact is when the device first informed (its BOOTSTRAP).
	FirstContact *time.Time `db:"first_contact_at"`
	orgID        uuid.UUID  // *Org, once known not nil
}

// firstSessionGrace is how long after a device's first contact GenieACS
// may not know it yet: GenieACS saves a device's document at the end of
// its first session, and identify (inside that session) queues the push.
const firstSessionGrace = 3 * time.Minute

// wantPPPoE is the login to write: the subscriber's, an empty one when the
// device's is to be cleared, or nil for none.
func (t pushTarget) wantPPPoE(ans IdentifyAnswer) *PPPoE {
	if ans.PPPoE == nil && t.Clear {
		return &PPPoE{}
	}
	return ans.PPPoE
}

var errNoPPP = errors.New("the device has no PPP connection to write the PPPoE login to")

// refreshPrefix marks a push task id that is the refresh of the device's
// PPP connections, not the write.
const refreshPrefix = "refresh:"

// step either checks the task a previous step queued, or applies the state.
func (p *pusher) step(ctx context.Context, t pushTarget) error {
	if t.TaskID != "" {
		return p.checkTask(ctx, t)
	}
	ans, err := p.s.desiredFor(ctx, p.s.pool, p.args.DeviceID)
	if err != nil {
		return err
	}
	root := t.root()
	dev, err := p.acs.GetDevice(ctx, t.GenieID, []string{"_tags", "_lastInform", root + ".DeviceInfo.SoftwareVersion"})
	if err != nil {
		return err
	}
	if err := p.syncTags(ctx, t.GenieID, dev.Tags, ans.Tags); err != nil {
		return err
	}
	p.record(ctx, dev, root)
	want := t.wantPPPoE(ans)
	if want == nil {
		return p.finish(ctx, PushDone, "")
	}
	// GenieACS knows only what it fetched, and a device's PPP instance
	// numbers vary: read its PPP connections now, then find the one to
	// write (never judge on whatever an earlier fetch left behind).
	task := genieacs.RefreshObject(pppRoot(root))
	task.UniqueKey = "fyberpay-push-refresh"
	res, err := p.acs.CreateTask(ctx, t.GenieID, task, genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return err
	}
	switch res.Outcome {
	case genieacs.OutcomeDone:
		return p.setPPPoE(ctx, t, want)
	case genieacs.OutcomeFaulted:
		return p.finish(ctx, PushFailed, p.faultText(ctx, t.GenieID, res.Task.ID))
	}
	if _, err := p.s.pool.Exec(ctx, `UPDATE cpe_devices SET push_task_id = $2, push_error = $3 WHERE id = $1`,
		p.args.DeviceID, refreshPrefix+res.Task.ID, "waiting for the device to report its PPP connections ("+res.Waiting()+")"); err != nil {
		return err
	}
	return errPushWait
}

// setPPPoE writes the login to the PPP connection the freshly read tree
// has.
func (p *pusher) setPPPoE(ctx context.Context, t pushTarget, want *PPPoE) error {
	root := t.root()
	dev, err := p.acs.GetDevice(ctx, t.GenieID, []string{pppRoot(root)})
	if err != nil {
		return err
	}
	user, found := datamodel.Resolve(datamodel.PPPoEUsername, t.identity(), maps.Keys(dev.Params))
	switch {
	case !found && want.Username == "":
		return p.finish(ctx, PushDone, "") // no PPP connection: nothing to clear
	case !found:
		return errNoPPP
	}
	base := strings.TrimSuffix(user, "Username")
	// A cleared login also stops the connection dialling.
	task := genieacs.SetParameterValues(
		genieacs.ParameterValue{Path: base + "Username", Value: want.Username, Type: "xsd:string"},
		genieacs.ParameterValue{Path: base + "Password", Value: want.Password, Type: "xsd:string"},
		genieacs.ParameterValue{Path: base + "Enable", Value: want.Username != "", Type: "xsd:boolean"},
	)
	task.UniqueKey = "fyberpay-pppoe" // a newer push replaces a queued older one
	res, err := p.acs.CreateTask(ctx, t.GenieID, task, genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return err
	}
	switch res.Outcome {
	case genieacs.OutcomeDone:
		return p.verify(ctx, t, base, want.Username)
	case genieacs.OutcomeFaulted:
		return p.finish(ctx, PushFailed, p.faultText(ctx, t.GenieID, res.Task.ID))
	}
	// Queued for the device's next session: remember the task and check back.
	if _, err := p.s.pool.Exec(ctx, `UPDATE cpe_devices SET push_task_id = $2, push_error = $3 WHERE id = $1`,
		p.args.DeviceID, res.Task.ID, "queued in GenieACS: "+res.Waiting()); err != nil {
		return err
	}
	return errPushWait
}

// checkTask follows a queued task: gone without a fault = ran; a fault =
// failed; still there = wait. A refresh that ran lets the write go.
func (p *pusher) checkTask(ctx context.Context, t pushTarget) error {
	taskID, refresh := strings.CutPrefix(t.TaskID, refreshPrefix)
	tasks, err := p.acs.Tasks(ctx, map[string]any{"_id": taskID})
	if err != nil {
		return err
	}
	faults, err := p.acs.Faults(ctx, map[string]any{"_id": t.GenieID + ":task_" + taskID})
	if err != nil {
		return err
	}
	if len(faults) > 0 {
		return p.finish(ctx, PushFailed, fmt.Sprintf("%s: %s", faults[0].Code, faults[0].Message))
	}
	if len(tasks) > 0 {
		return errPushWait
	}
	ans, err := p.s.desiredFor(ctx, p.s.pool, p.args.DeviceID)
	if err != nil {
		return err
	}
	want := t.wantPPPoE(ans)
	if want == nil {
		return p.finish(ctx, PushDone, "")
	}
	if refresh {
		if _, err := p.s.pool.Exec(ctx, `UPDATE cpe_devices SET push_task_id = '' WHERE id = $1`, p.args.DeviceID); err != nil {
			return err
		}
		return p.setPPPoE(ctx, t, want)
	}
	dev, err := p.acs.GetDevice(ctx, t.GenieID, []string{pppRoot(t.root())})
	if err != nil {
		return err
	}
	user, found := datamodel.Resolve(datamodel.PPPoEUsername, t.identity(), maps.Keys(dev.Params))
	if !found {
		return errNoPPP
	}
	return p.verify(ctx, t, strings.TrimSuffix(user, "Username"), want.Username)
}

// verify reads the values back: GenieACS's "done" never proves a write (a
// path the device lacks is a silent success). The password reads back as
// "" on CPEs, so for it the path existing is the proof.
func (p *pusher) verify(ctx context.Context, t pushTarget, base, wantUser string) error {
	dev, err := p.acs.GetDevice(ctx, t.GenieID, []string{base + "Username", base + "Password"})
	if err != nil {
		return err
	}
	if got := dev.String(base + "Username"); got != wantUser {
		return p.finish(ctx, PushFailed, fmt.Sprintf("the device reports PPPoE username %q after the write", got))
	}
	if _, ok := dev.Params[base+"Password"]; !ok {
		return p.finish(ctx, PushFailed, "the device has no "+base+"Password")
	}
	return p.finish(ctx, PushDone, "")
}

// syncTags makes the managed tags (org:, sub:, plan:) exactly the desired
// ones, leaving other tags alone.
func (p *pusher) syncTags(ctx context.Context, genieID string, have, want []string) error {
	for _, tag := range have {
		if managed(tag) && !slices.Contains(want, tag) {
			if err := p.acs.RemoveTag(ctx, genieID, tag); err != nil {
				return err
			}
		}
	}
	for _, tag := range want {
		if !slices.Contains(have, tag) {
			if err := p.acs.AddTag(ctx, genieID, tag); err != nil {
				return err
			}
		}
	}
	return nil
}

func managed(tag string) bool {
	return devtag.Managed(tag)
}

// record keeps what GenieACS just told us about the device.
func (p *pusher) record(ctx context.Context, dev *genieacs.Device, root string) {
	var last *time.Time
	if !dev.LastInform.IsZero() {
		last = &dev.LastInform
	}
	_, _ = p.s.pool.Exec(ctx, `UPDATE cpe_devices SET last_inform_at = COALESCE($2, last_inform_at),
		software_version = COALESCE(NULLIF($3, ''), software_version) WHERE id = $1`,
		p.args.DeviceID, last, dev.String(root+".DeviceInfo.SoftwareVersion"))
}

func pppRoot(root string) string {
	if root == datamodel.TR181 {
		return "Device.PPP.Interface"
	}
	return "InternetGatewayDevice.WANDevice"
}

func (p *pusher) faultText(ctx context.Context, genieID, taskID string) string {
	fs, err := p.acs.Faults(ctx, map[string]any{"_id": genieID + ":task_" + taskID})
	if err != nil || len(fs) == 0 {
		return "GenieACS reported the task faulted"
	}
	return fmt.Sprintf("%s: %s", fs[0].Code, fs[0].Message)
}

// note records progress without ending the push.
func (p *pusher) note(ctx context.Context, msg string) {
	_, _ = p.s.pool.Exec(ctx, `UPDATE cpe_devices SET push_error = $2 WHERE id = $1 AND push_requested_at <= $3::timestamptz + interval '1 millisecond'`,
		p.args.DeviceID, validation.Storable(msg, 300), p.args.RequestedAt)
}

// finish ends the push (unless a newer request took over) and audits it.
func (p *pusher) finish(ctx context.Context, state, msg string) error {
	return db.InTx(ctx, p.s.pool, func(tx pgx.Tx) error {
		ended, err := db.One[struct {
			OrgID  uuid.UUID `db:"org_id"`
			Serial string    `db:"serial_norm"`
		}](ctx, tx, `UPDATE cpe_devices SET push_state = $2, push_error = $3, push_task_id = '',
				pushed_at = CASE WHEN $2 = 'done' THEN now() ELSE pushed_at END,
				pppoe_clear = pppoe_clear AND $2 <> 'done', updated_at = now()
			WHERE id = $1 AND push_requested_at <= $4::timestamptz + interval '1 millisecond' AND push_state = 'pending'
			RETURNING org_id, serial_norm`, p.args.DeviceID, state, validation.Storable(msg, 300), p.args.RequestedAt)
		if errors.Is(db.MapErr(err), db.ErrNotFound) {
			return nil // superseded
		} else if err != nil {
			return err
		}
		orgID, serial := ended.OrgID, ended.Serial
		summary := "configuration pushed to " + serial
		switch state {
		case PushFailed:
			summary = "push to " + serial + " failed: " + msg
		case PushNone:
			summary = "push to " + serial + " deferred: " + msg
		}
		return audit.Record(ctx, tx, actor.System(orgID), audit.Entry{Action: "cpe.push", TargetType: "cpe",
			TargetID: p.args.DeviceID.String(), Summary: summary})
	})
}

// desiredFor is identify's answer for a device, without recording a
// contact: what a push applies.
func (s *Service) desiredFor(ctx context.Context, exec db.Executor, id uuid.UUID) (IdentifyAnswer, error) {
	var r desiredRow
	err := exec.QueryRow(ctx, `SELECT d.id, d.org_id, `+desiredColumns+` FROM cpe_devices d `+desiredJoins+` WHERE d.id = $1`, id).
		Scan(append([]any{&r.id, &r.orgID}, r.dest()...)...)
	if err != nil {
		return IdentifyAnswer{}, fmt.Errorf("read desired state: %w", db.MapErr(err))
	}
	return s.answer("", r)
}
