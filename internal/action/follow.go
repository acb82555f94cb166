package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// row is a task as the follower reads it.
type row struct {
	id        uuid.UUID
	status    string
	message   string
	kind      string
	genieTask string
	expires   time.Time
	updated   time.Time
	reqEnc    []byte
	keyID     string
	checks    []check
	dev       target
}

// loadRow is a row as read: the task's columns (its id aliased task_id)
// and its device's (targetColumns).
type loadRow struct {
	TaskID    uuid.UUID `db:"task_id"`
	Status    string    `db:"status"`
	Message   string    `db:"message"`
	Kind      string    `db:"kind"`
	GenieTask string    `db:"genieacs_task_id"`
	Expires   time.Time `db:"expires_at"`
	Updated   time.Time `db:"updated_at"`
	ReqEnc    []byte    `db:"request_enc"`
	KeyID     string    `db:"key_id"`
	Checks    []byte    `db:"checks"`
	targetRow
}

func (s *Service) load(ctx context.Context, id uuid.UUID) (row, error) {
	l, err := db.One[loadRow](ctx, s.pool, `SELECT t.id AS task_id, t.status, t.message, t.kind, t.genieacs_task_id, t.expires_at, t.updated_at,
			t.request_enc, t.key_id, t.checks, `+targetColumns+`
		FROM cpe_tasks t JOIN cpe_devices d ON d.id = t.device_id WHERE t.id = $1`, id)
	if err != nil {
		return row{}, db.MapErr(err)
	}
	r := row{id: l.TaskID, status: l.Status, message: l.Message, kind: l.Kind, genieTask: l.GenieTask, expires: l.Expires,
		updated: l.Updated, reqEnc: l.ReqEnc, keyID: l.KeyID, dev: l.target()}
	if err := json.Unmarshal(l.Checks, &r.checks); err != nil {
		return row{}, fmt.Errorf("task %s checks: %w", id, err)
	}
	return r, nil
}

func (r row) identity() datamodel.Identity { return r.dev.identity() }

// failure ends a task as failed; anything else an advance returns is
// transient (the job tries again).
// failure is a task's end judged by FyberPay; status is failed unless set
// (superseded).
type failure struct{ code, msg, status string }

func (f *failure) Error() string { return f.msg }

func fail(format string, args ...any) error { return &failure{msg: fmt.Sprintf(format, args...)} }

// advance moves a task one step along: send it, check it, read it back or
// wait for its results. Transient trouble (GenieACS unreachable) is noted
// on the task and returned; the job tries again.
func (s *Service) advance(ctx context.Context, id uuid.UUID) error {
	r, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	now := time.Now()
	switch {
	case r.status == StatusDone || r.status == StatusExpired || r.status == StatusCancelled || r.status == StatusSuperseded:
		return nil
	case r.status == StatusFailed && r.genieTask == "":
		return nil
	case r.status == StatusFailed && now.After(r.expires):
		// GenieACS would retry it for ever: stop that.
		if s.acs != nil {
			_ = s.acs.DeleteTask(ctx, r.genieTask)
		}
		return nil
	case now.After(r.expires):
		if r.genieTask != "" {
			if err := s.acs.DeleteTask(ctx, r.genieTask); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
				return s.transient(ctx, r, err)
			}
		}
		return s.finish(ctx, r.id, StatusExpired, "the device did not run it within "+cpe.HumanDuration(s.lifetime())+"; GenieACS no longer holds it", "", nil)
	}
	if s.acs == nil {
		return s.finish(ctx, r.id, StatusFailed, "GenieACS is not configured", "", nil)
	}
	switch r.status {
	case StatusPending:
		err = s.send(ctx, r)
	case StatusQueued, StatusFailed:
		err = s.check(ctx, r)
	case StatusRunning:
		err = s.await(ctx, r)
	}
	var f *failure
	switch {
	case err == nil:
		return s.recovered(ctx, r)
	case errors.As(err, &f) && f.status != "":
		return s.end(ctx, r.id, f.status, f.msg, "", nil, true)
	case errors.As(err, &f) && f.code == "":
		// Judged here (a value that did not read back, a device that
		// reported an error or no results): GenieACS holds nothing of it
		// to follow any more.
		return s.finishUnfollowed(ctx, r.id, f.msg)
	case errors.As(err, &f):
		return s.finish(ctx, r.id, StatusFailed, f.msg, f.code, nil)
	case errors.Is(err, genieacs.ErrDeviceNotFound):
		return s.finish(ctx, r.id, StatusFailed, "GenieACS does not know this device any more (deleted from GenieACS?)", "", nil)
	case errors.Is(err, genieacs.ErrInvalidTask):
		return s.finish(ctx, r.id, StatusFailed, err.Error(), "", nil)
	}
	return s.transient(ctx, r, err)
}

// Messages of a task that could not reach GenieACS for a moment.
const (
	msgNoAnswer  = "GenieACS did not answer; trying again shortly"
	msgBreakerOn = "GenieACS is not answering; FyberPay sends it when it does"
)

// transient notes a passing problem on the task and hands it back.
func (s *Service) transient(ctx context.Context, r row, err error) error {
	msg := msgNoAnswer
	if errors.Is(err, genieacs.ErrCircuitOpen) {
		msg = msgBreakerOn
	}
	_, _ = s.pool.Exec(ctx, `UPDATE cpe_tasks SET message = $2, send_claimed_at = NULL, updated_at = now() WHERE id = $1 AND status IN ('pending', 'queued', 'running')`, r.id, msg)
	return err
}

// recovered puts back the message of a task that is still waiting once
// GenieACS answers again, so it does not say GenieACS is down for as long
// as it keeps waiting.
func (s *Service) recovered(ctx context.Context, r row) error {
	if r.message != msgNoAnswer && r.message != msgBreakerOn {
		return nil
	}
	msg := map[string]string{
		StatusRunning: "the device is running the test",
		StatusQueued:  "queued in GenieACS; it runs at the device's next session",
	}[r.status]
	if msg == "" {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET message = $3, updated_at = now() WHERE id = $1 AND status = $2 AND message = $4`,
		r.id, r.status, msg, r.message)
	return err
}

// send claims a pending task for a lease and sends it to GenieACS.
func (s *Service) send(ctx context.Context, r row) error {
	tag, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET send_claimed_at = now() WHERE id = $1 AND status = 'pending'
		AND (send_claimed_at IS NULL OR send_claimed_at < now() - interval '3 minutes')`, r.id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return nil // another sender holds it
	}
	if r.dev.genieID == "" {
		if r.kind != KindWiFi {
			return fail("this device has not contacted GenieACS yet")
		}
		// The bootstrap provision applies it at the device's first
		// contact; then it is sent (a no-op) and read back like any other.
		_, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET message = $2, send_claimed_at = NULL, updated_at = now() WHERE id = $1`,
			r.id, "kept for the device's first contact: its bootstrap applies it, then FyberPay reads it back")
		return err
	}
	req, err := s.openRequest(r)
	if err != nil {
		return err
	}
	if r.kind == KindTagAdd || r.kind == KindTagRemove {
		return s.tag(ctx, r, req.Tag)
	}
	if obj := treeFirst(r); obj != "" {
		return s.refreshFirst(ctx, r, req, obj)
	}
	return s.dispatch(ctx, r, req)
}

// openRequest opens the task's sealed request.
func (s *Service) openRequest(r row) (request, error) {
	var req request
	if len(r.reqEnc) == 0 {
		return req, nil
	}
	plain, err := s.box.Open(r.reqEnc, r.keyID, nil)
	if err != nil {
		return req, fail("the stored request cannot be opened (was the encryption key rotated away?)")
	}
	if err := json.Unmarshal(plain, &req); err != nil {
		return req, fmt.Errorf("task %s request: %w", r.id, err)
	}
	return req, nil
}

// treeFirst names the object whose subtree must be read from the device
// before the task is built ("" for none): Wi-Fi paths (and ZTE's scanning
// radios) differ per vendor and model, and GenieACS knows only what it
// fetched, so they are judged on a subtree read now.
func treeFirst(r row) string {
	if r.kind == KindWiFiScan {
		// Which radios scan (ZTE: each on its own) is judged on the
		// radios' subtree read now.
		return polledScan(r.identity())
	}
	if r.kind != KindWiFi {
		return ""
	}
	if r.dev.root() == datamodel.TR181 {
		return "Device.WiFi"
	}
	return wlanConfigs
}

// wlanConfigs is TR-098's Wi-Fi object.
const wlanConfigs = "InternetGatewayDevice.LANDevice.1.WLANConfiguration"

// refreshFirst reads obj's subtree from the device, then sends the task;
// a device that does not answer now gets both at its next session.
func (s *Service) refreshFirst(ctx context.Context, r row, req request, obj string) error {
	task := genieacs.RefreshObject(obj)
	task.UniqueKey = "fyberpay-" + r.id.String() + "-tree"
	wake := !req.NoWake
	res, err := s.acs.CreateTask(ctx, r.dev.genieID, task, genieacs.TaskOptions{ConnectionRequest: wake})
	if err != nil {
		return err
	}
	s.noteWake(ctx, r.dev.id, res, wake)
	body, _ := json.Marshal([]check{{Refresh: obj}})
	if _, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET genieacs_task_id = $2, checks = $3, send_claimed_at = NULL, updated_at = now() WHERE id = $1`,
		r.id, res.Task.ID, body); err != nil {
		return err
	}
	r.genieTask, r.checks = res.Task.ID, []check{{Refresh: obj}}
	switch res.Outcome {
	case genieacs.OutcomeDone:
		return s.dispatch(ctx, r, req)
	case genieacs.OutcomeFaulted:
		return s.faulted(ctx, r)
	}
	return s.set(ctx, r.id, StatusQueued, "reading the device's settings first: "+queuedText(res, wake))
}

// dispatch builds the GenieACS task against the device's tree and sends
// it.
func (s *Service) dispatch(ctx context.Context, r row, req request) error {
	task, checks, err := s.build(ctx, r, req)
	if err != nil {
		return err
	}
	task.UniqueKey = "fyberpay-" + r.id.String() // a resend replaces a task still waiting in GenieACS
	wake := !req.NoWake
	if sentBefore(r) {
		// An earlier send got no answer (a timeout, a dropped connection):
		// GenieACS may hold the task, or may have run it already.
		if settled, err := s.settleLostSend(ctx, r, req, task.UniqueKey, checks); settled || err != nil {
			return err
		}
	}
	// What it writes is on record before the device can run it: another
	// task reading back the same parameter meanwhile must see it (to tell
	// superseded from failed).
	body, _ := json.Marshal(checks)
	if _, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET checks = $2, updated_at = now() WHERE id = $1`, r.id, body); err != nil {
		return err
	}
	res, err := s.acs.CreateTask(ctx, r.dev.genieID, task, genieacs.TaskOptions{ConnectionRequest: wake})
	if err != nil {
		return err
	}
	s.noteWake(ctx, r.dev.id, res, wake)
	if _, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET genieacs_task_id = $2, send_claimed_at = NULL, updated_at = now() WHERE id = $1`,
		r.id, res.Task.ID); err != nil {
		return err
	}
	r.genieTask, r.checks = res.Task.ID, checks
	switch res.Outcome {
	case genieacs.OutcomeDone:
		return s.ran(ctx, r)
	case genieacs.OutcomeFaulted:
		return s.faulted(ctx, r)
	}
	return s.set(ctx, r.id, StatusQueued, queuedText(res, wake))
}

// sentBefore tells a task whose earlier send got no answer: what it
// checks is on record (written just before the send) while no GenieACS
// task is (written with its answer). A device-tree read first is not it.
func sentBefore(r row) bool {
	return r.genieTask == "" && len(r.checks) > 0 && !(len(r.checks) == 1 && r.checks[0].Refresh != "")
}

// settleLostSend judges a task whose earlier send got no answer before it
// is sent again: GenieACS still holding it (its unique key) → followed as
// sent; gone → a reboot, factory reset or table instance add/delete is
// not sent again on a guess (it may have run: twice would reboot twice or
// add two instances) and fails saying so; the rest (writes read back,
// reads, tests) is sent again. settled is false when it should be sent.
func (s *Service) settleLostSend(ctx context.Context, r row, req request, key string, checks []check) (settled bool, err error) {
	held, err := s.acs.Tasks(ctx, map[string]any{"device": r.dev.genieID, "uniqueKey": key})
	if err != nil {
		return true, err
	}
	if len(held) > 0 {
		body, _ := json.Marshal(checks)
		if _, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET genieacs_task_id = $2, checks = $3, send_claimed_at = NULL, updated_at = now() WHERE id = $1`,
			r.id, held[0].ID, body); err != nil {
			return true, err
		}
		return true, s.set(ctx, r.id, StatusQueued, "queued in GenieACS (its answer to the send was lost; GenieACS holds the task)")
	}
	if r.kind == KindReboot || r.kind == KindFactoryReset || req.AddObject != "" || req.DeleteObject != "" {
		return true, s.finishUnfollowed(ctx, r.id, "GenieACS did not answer when this was sent and holds no such task now: it may have run already. "+
			"Check the device before sending it again.")
	}
	return false, nil
}

// noteWake records on the device how a connection request went (the
// device checklist's "connection requests"): GenieACS could not get
// through (offline, a connection-request error, no session in time), or it
// did (the task ran or faulted in the session it started).
func (s *Service) noteWake(ctx context.Context, device uuid.UUID, res genieacs.TaskResult, woke bool) {
	if !woke {
		return
	}
	// Best effort, as a contact time: the task's own state is what matters.
	switch res.Outcome {
	case genieacs.OutcomeOffline, genieacs.OutcomeConnectionRequestError, genieacs.OutcomeNotProcessed:
		_ = recordWake(ctx, s.pool, device, false, res.Waiting(), time.Now())
	case genieacs.OutcomeDone, genieacs.OutcomeFaulted:
		_ = recordWake(ctx, s.pool, device, true, "", time.Now())
	}
}

// recordWake notes on the device how a connection request went at at:
// reached, or not and why.
func recordWake(ctx context.Context, exec db.Executor, device uuid.UUID, reached bool, why string, at time.Time) error {
	if reached {
		_, err := exec.Exec(ctx, `UPDATE cpe_devices SET wake_ok_at = $2 WHERE id = $1`, device, at)
		return err
	}
	_, err := exec.Exec(ctx, `UPDATE cpe_devices SET wake_failed_at = $2, wake_error = left($3, 300) WHERE id = $1`, device, at, why)
	return err
}

func queuedText(res genieacs.TaskResult, woke bool) string {
	switch res.Outcome {
	case genieacs.OutcomeOffline, genieacs.OutcomeConnectionRequestError, genieacs.OutcomeNotProcessed:
		return res.Waiting() + "; GenieACS runs it at the device's next inform"
	}
	if !woke {
		return "queued in GenieACS for the device's next inform"
	}
	return "queued in GenieACS (" + res.Reason + ")"
}

// check follows a task GenieACS holds: a fault on its channel = failed;
// still there = waiting; gone without a fault = it ran.
func (s *Service) check(ctx context.Context, r row) error {
	faults, err := s.acs.Faults(ctx, map[string]any{"_id": r.dev.genieID + ":task_" + r.genieTask})
	if err != nil {
		return err
	}
	if len(faults) > 0 {
		if r.status == StatusFailed {
			return nil // still failed; GenieACS retries it by itself
		}
		return s.faulted(ctx, r)
	}
	tasks, err := s.acs.Tasks(ctx, map[string]any{"_id": r.genieTask})
	if err != nil {
		return err
	}
	if len(tasks) > 0 {
		if r.status == StatusFailed { // the fault was cleared: retrying
			return s.set(ctx, r.id, StatusQueued, "GenieACS is retrying it at the device's next session")
		}
		return nil
	}
	if len(r.checks) == 1 && r.checks[0].Refresh != "" {
		// The device's subtree was read: now the task itself.
		req, err := s.openRequest(r)
		if err != nil {
			return err
		}
		return s.dispatch(ctx, r, req)
	}
	return s.ran(ctx, r)
}

// faulted ends the task with the fault GenieACS recorded, naming the
// parameter the CPE named.
func (s *Service) faulted(ctx context.Context, r row) error {
	fs, err := s.acs.Faults(ctx, map[string]any{"_id": r.dev.genieID + ":task_" + r.genieTask})
	if err != nil {
		return err
	}
	if len(fs) == 0 {
		return &failure{msg: "GenieACS reported the task faulted"}
	}
	return &failure{code: fs[0].Code, msg: faultText(fs[0])}
}

// faultText is a fault in words: "cwmp.9008: Attempt to set a non-writable
// parameter (…PeriodicInformInterval: 9008 Attempt to set …)".
func faultText(f genieacs.Fault) string {
	msg := f.Code + ": " + f.Message
	var detail struct {
		SPV []struct {
			ParameterName string `json:"parameterName"`
			FaultCode     string `json:"faultCode"`
			FaultString   string `json:"faultString"`
		} `json:"setParameterValuesFault"`
	}
	if len(f.Detail) > 0 && json.Unmarshal(f.Detail, &detail) == nil {
		var parts []string
		for _, p := range detail.SPV {
			parts = append(parts, strings.TrimSpace(p.ParameterName+": "+p.FaultCode+" "+p.FaultString))
		}
		if len(parts) > 0 {
			msg += " (" + strings.Join(parts, "; ") + ")"
		}
	}
	return validation.Storable(msg, 500)
}

// ran is what follows a task GenieACS ran without a fault: writes are read
// back, diagnostics wait for their results, the rest is done.
func (s *Service) ran(ctx context.Context, r row) error {
	var values, awaits []check
	for _, c := range r.checks {
		switch {
		case c.Note != "" || c.Refresh != "":
		case c.Await != "":
			awaits = append(awaits, c)
		default:
			values = append(values, c)
		}
	}
	if len(values) > 0 {
		if err := s.readBack(ctx, r, values); err != nil {
			return err
		}
	}
	if len(awaits) > 0 {
		if err := s.set(ctx, r.id, StatusRunning, "the device is running the test"); err != nil {
			return err
		}
		r.status, r.updated = StatusRunning, time.Now()
		return s.await(ctx, r)
	}
	var notes []string
	for _, c := range r.checks {
		if c.Note != "" {
			notes = append(notes, c.Note)
		}
	}
	msg := strings.Join(notes, "; ")
	if r.kind == KindRefresh && msg == "" {
		msg = "health values read from the device"
	}
	if r.kind == KindFactoryReset && s.devices != nil {
		if err := s.devices.Rejudge(ctx, r.dev.id, cpe.WhyReset); err != nil {
			return err
		}
	}
	return s.finish(ctx, r.id, StatusDone, msg, "", nil)
}

// readBack refreshes the written paths from the device, then compares.
// GenieACS's 200 never proves a write: a path the device lacks is skipped
// without a word.
func (s *Service) readBack(ctx context.Context, r row, cs []check) error {
	paths := make([]string, len(cs))
	for i, c := range cs {
		paths[i] = c.Path
	}
	res, err := s.acs.CreateTask(ctx, r.dev.genieID, genieacs.GetParameterValues(paths...), genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return err
	}
	if res.Outcome != genieacs.OutcomeDone && res.Task.ID != "" {
		// The device went away after the write: judge on what GenieACS
		// recorded, and leave no stray read behind.
		_ = s.acs.DeleteTask(ctx, res.Task.ID)
	}
	dev, err := s.acs.GetDevice(ctx, r.dev.genieID, paths)
	if err != nil {
		return err
	}
	var missing, wrong, wrongPaths, wrongValues []string
	for _, c := range cs {
		p, ok := dev.Params[c.Path]
		switch {
		case !ok || p.Object:
			missing = append(missing, c.Path)
		case c.Secret && p.Writable != nil && !*p.Writable:
			wrong = append(wrong, c.Path+" is read-only on the device")
		case c.Secret:
			// reads back as "" on CPEs: existing (writable) is the proof
		case !sameValue(p, c.Value):
			wrong = append(wrong, fmt.Sprintf("%s reads back as %q, not %q", c.Path, deviceText(p), c.Value))
			wrongPaths, wrongValues = append(wrongPaths, c.Path), append(wrongValues, deviceText(p))
		}
	}
	switch {
	case len(missing) == 1:
		return fail("the device has no parameter %s (GenieACS skipped it)", missing[0])
	case len(missing) > 1:
		return fail("the device has no parameters %s (GenieACS skipped them)", strings.Join(missing, ", "))
	case len(wrong) > 0:
		if other, at, ok, err := s.supersededBy(ctx, r, wrongPaths, wrongValues); err != nil {
			return err
		} else if ok {
			return &failure{status: StatusSuperseded, msg: fmt.Sprintf("another change to the same setting replaced it: %s (asked %s)", other, at.UTC().Format("2006-01-02 15:04 UTC"))}
		}
		return fail("the device did not take the new value: %s", strings.Join(wrong, "; "))
	}
	return nil
}

// supersededBy finds another task on the device, active since this one
// was asked, that wrote the very value the device reads back at one of
// paths: then the device took a change, just not this one (the two ran in
// the other order, or the other came later), and this task is superseded,
// not failed.
func (s *Service) supersededBy(ctx context.Context, r row, paths, values []string) (summary string, at time.Time, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT l.summary, l.created_at FROM cpe_tasks l, cpe_tasks t
		WHERE t.id = $1 AND l.device_id = t.device_id AND l.id <> t.id AND l.updated_at >= t.created_at
			AND l.status NOT IN ('cancelled', 'expired')
			AND EXISTS (SELECT 1 FROM jsonb_array_elements(l.checks) c, unnest($2::text[], $3::text[]) AS w(path, value)
				WHERE c->>'path' = w.path AND c->>'value' = w.value)
		ORDER BY l.created_at DESC LIMIT 1`, r.id, paths, values).Scan(&summary, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	return summary, at, err == nil, err
}

func deviceText(p genieacs.Param) string {
	s := canonical(p.Value)
	if p.Type == "xsd:boolean" {
		switch s {
		case "1":
			return "true"
		case "0":
			return "false"
		}
	}
	return s
}

func sameValue(p genieacs.Param, want string) bool {
	got := deviceText(p)
	if got == want {
		return true
	}
	if p.Type == "xsd:dateTime" {
		a, err1 := time.Parse(time.RFC3339, got)
		b, err2 := time.Parse(time.RFC3339, want)
		return err1 == nil && err2 == nil && a.Equal(b)
	}
	return false
}

// await waits for diagnostics to leave "Requested", then records their
// results.
func (s *Service) await(ctx context.Context, r row) error {
	var kind string
	for _, c := range r.checks {
		if c.Await != "" {
			kind = c.Await
		}
	}
	dev, err := s.acs.GetDevice(ctx, r.dev.genieID, diagnosticsProjection(r.dev.root()))
	if err != nil {
		return err
	}
	d := readDiagnostics(dev, r.identity())
	if obj := polledScan(r.identity()); kind == "neighbour" && obj != "" && d.Neighbours.State == "Requested" {
		// A scan the CPE does not announce (no 8 DIAGNOSTICS COMPLETE):
		// read its state and results again, then judge on that; once it
		// is done, the channels the advice starts from too (no
		// diagnostics provision ran to read them).
		for _, o := range []string{obj, wlanConfigs} {
			if d, err = s.reread(ctx, r, o); err != nil || !done(d.Neighbours.State) {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	var state, summary string
	var result any
	switch kind {
	case "download":
		state, result = d.Download.State, d.Download
		if d.Download.Mbps != nil {
			summary = fmt.Sprintf("%.1f Mbps down", *d.Download.Mbps)
		}
	case "upload":
		state, result = d.Upload.State, d.Upload
		if d.Upload.Mbps != nil {
			summary = fmt.Sprintf("%.1f Mbps up", *d.Upload.Mbps)
		}
	case "traceroute":
		state, result = d.Traceroute.State, d.Traceroute
		if n := len(d.Traceroute.Hops); n > 0 {
			summary = fmt.Sprintf("%d hops to %s", n, d.Traceroute.Host)
			if d.Traceroute.ResponseMs != nil {
				summary += fmt.Sprintf(", %d ms", *d.Traceroute.ResponseMs)
			}
		}
	case "neighbour":
		state, result = d.Neighbours.State, d.Neighbours
		if done(state) {
			summary = fmt.Sprintf("%d neighbouring networks", len(d.Neighbours.Networks))
			for _, rc := range d.Neighbours.Advice {
				if rc.Recommended != 0 && rc.Recommended != rc.Current {
					summary += fmt.Sprintf("; channel %d suggested on %s (now %d)", rc.Recommended, bandLabel(rc.Band), rc.Current)
				}
			}
		}
	case "ping":
		state, result = d.Ping.State, d.Ping
		if d.Ping.Success != nil {
			summary = fmt.Sprintf("%d of %d replies", *d.Ping.Success, d.Ping.Sent())
			if d.Ping.AverageMs != nil && *d.Ping.Success > 0 {
				summary += fmt.Sprintf(", average %d ms", *d.Ping.AverageMs)
			}
		}
	}
	switch {
	case state == "Requested" || state == "" || state == "None":
		if wait := s.diagnosticsWait(); time.Since(r.updated) > wait {
			return fail("the device reported no results within %s", cpe.HumanDuration(wait))
		}
		return nil
	case state == "Completed" || state == "Complete":
		return s.finish(ctx, r.id, StatusDone, summary, "", result)
	}
	return s.finish(ctx, r.id, StatusFailed, "the device reported "+state, "", result)
}

// reread has the device read obj's subtree now, then reads its
// diagnostics from GenieACS again.
func (s *Service) reread(ctx context.Context, r row, obj string) (Diagnostics, error) {
	res, err := s.acs.CreateTask(ctx, r.dev.genieID, genieacs.RefreshObject(obj), genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return Diagnostics{}, err
	}
	if res.Outcome != genieacs.OutcomeDone && res.Task.ID != "" {
		_ = s.acs.DeleteTask(ctx, res.Task.ID) // the next look asks again
	}
	dev, err := s.acs.GetDevice(ctx, r.dev.genieID, diagnosticsProjection(r.dev.root()))
	if err != nil {
		return Diagnostics{}, err
	}
	return readDiagnostics(dev, r.identity()), nil
}

// set moves a task to a state that is not an end.
func (s *Service) set(ctx context.Context, id uuid.UUID, status, msg string) error {
	_, err := s.pool.Exec(ctx, `UPDATE cpe_tasks SET status = $2, message = $3, fault_code = '', finished_at = NULL, send_claimed_at = NULL, updated_at = now()
		WHERE id = $1 AND status NOT IN ('done', 'cancelled', 'expired', 'superseded')`, id, status, validation.Storable(msg, 500))
	return err
}

// finish ends a task and writes cpe.task_finished, in one transaction.
func (s *Service) finish(ctx context.Context, id uuid.UUID, status, msg, code string, result any) error {
	return s.end(ctx, id, status, msg, code, result, false)
}

// end is finish; unfollow also stops following the task's GenieACS task,
// in the same statement.
func (s *Service) end(ctx context.Context, id uuid.UUID, status, msg, code string, result any, unfollow bool) error {
	var res []byte
	if result != nil {
		res, _ = json.Marshal(result)
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var changed bool
		err := tx.QueryRow(ctx, `UPDATE cpe_tasks t SET status = $2, message = $3, fault_code = $4, result = COALESCE($5, result),
				genieacs_task_id = CASE WHEN $6 THEN '' ELSE genieacs_task_id END,
				finished_at = CASE WHEN status <> $2 OR message <> $3 THEN now() ELSE finished_at END,
				send_claimed_at = NULL, updated_at = now()
			FROM (SELECT id, status AS old_status, message AS old_message FROM cpe_tasks WHERE id = $1 FOR UPDATE) o
			WHERE t.id = o.id AND t.status NOT IN ('done', 'cancelled', 'expired', 'superseded')
				AND (t.status <> $2 OR t.message <> $3 OR ($6 AND t.genieacs_task_id <> ''))
			RETURNING o.old_status <> $2 OR o.old_message <> $3`,
			id, status, validation.Storable(msg, 500), code, res, unfollow).Scan(&changed)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !changed) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.finishedEvent(ctx, tx, id)
	})
}

// finishUnfollowed ends a task that failed on FyberPay's judgment and
// stops following its GenieACS task (done there, nothing to retry): a
// re-check can no longer flip it back.
func (s *Service) finishUnfollowed(ctx context.Context, id uuid.UUID, msg string) error {
	return s.end(ctx, id, StatusFailed, msg, "", nil, true)
}

// build turns the request into the GenieACS task, resolving paths against
// the device's tree, and lists what to read back afterwards.
func (s *Service) build(ctx context.Context, r row, req request) (genieacs.Task, []check, error) {
	id := r.identity()
	first := func(p datamodel.Param) string {
		path, _ := datamodel.Resolve(p, id, func(func(string) bool) {})
		return path
	}
	switch r.kind {
	case KindReboot:
		return genieacs.Reboot(), nil, nil
	case KindFactoryReset:
		return genieacs.FactoryReset(), nil, nil
	case KindRefresh:
		if req.Object != "" {
			return genieacs.RefreshObject(req.Object), []check{{Note: "read " + req.Object + " from the device"}}, nil
		}
		var paths []string
		for _, p := range datamodel.HealthParams() {
			for _, c := range datamodel.Candidates(p, id) {
				if !strings.Contains(c, "*") {
					paths = append(paths, c)
				}
			}
		}
		return genieacs.GetParameterValues(paths...), nil, nil
	case KindParameters:
		switch {
		case req.AddObject != "":
			return genieacs.AddObject(req.AddObject), []check{{Note: "added an instance to " + req.AddObject}}, nil
		case req.DeleteObject != "":
			return genieacs.DeleteObject(req.DeleteObject), []check{{Note: "deleted " + req.DeleteObject}}, nil
		}
		var cs []check
		for _, p := range req.Params {
			// checks are stored in clear: a secret's value stays sealed in
			// the request (it is never compared anyway).
			c := check{Path: p.Path, Secret: isSecretPath(p.Path)}
			if !c.Secret {
				c.Value = canonical(p.Value)
			}
			cs = append(cs, c)
		}
		return genieacs.SetParameterValues(req.Params...), cs, nil
	case KindSpeedTest:
		if up := req.Upload; up != nil {
			u, n, st := first(datamodel.UploadURL), first(datamodel.UploadTestFileLength), first(datamodel.UploadState)
			return genieacs.SetParameterValues(
					genieacs.ParameterValue{Path: u, Value: up.UploadURL, Type: "xsd:string"},
					genieacs.ParameterValue{Path: n, Value: int64(up.MiB) << 20, Type: "xsd:unsignedInt"},
					genieacs.ParameterValue{Path: st, Value: "Requested", Type: "xsd:string"}),
				[]check{{Path: u, Value: up.UploadURL}, {Path: n, Value: strconv.Itoa(up.MiB << 20)}, {Path: st, Await: "upload"}}, nil
		}
		u, st := first(datamodel.DownloadURL), first(datamodel.DownloadState)
		return genieacs.SetParameterValues(
				genieacs.ParameterValue{Path: u, Value: req.Speed.DownloadURL, Type: "xsd:string"},
				genieacs.ParameterValue{Path: st, Value: "Requested", Type: "xsd:string"}),
			[]check{{Path: u, Value: req.Speed.DownloadURL}, {Path: st, Await: "download"}}, nil
	case KindPing:
		h, n, t, st := first(datamodel.PingHost), first(datamodel.PingRepetitions), first(datamodel.PingTimeout), first(datamodel.PingState)
		return genieacs.SetParameterValues(
				genieacs.ParameterValue{Path: h, Value: req.Ping.Host, Type: "xsd:string"},
				genieacs.ParameterValue{Path: n, Value: int64(req.Ping.Repetitions), Type: "xsd:unsignedInt"},
				genieacs.ParameterValue{Path: t, Value: int64(req.Ping.TimeoutMs), Type: "xsd:unsignedInt"},
				genieacs.ParameterValue{Path: st, Value: "Requested", Type: "xsd:string"}),
			[]check{{Path: h, Value: req.Ping.Host}, {Path: n, Value: strconv.Itoa(req.Ping.Repetitions)}, {Path: st, Await: "ping"}}, nil
	case KindTraceroute:
		h, n, m, st := first(datamodel.TraceRouteHost), first(datamodel.TraceRouteTries), first(datamodel.TraceRouteMaxHops), first(datamodel.TraceRouteState)
		return genieacs.SetParameterValues(
				genieacs.ParameterValue{Path: h, Value: req.Trace.Host, Type: "xsd:string"},
				genieacs.ParameterValue{Path: n, Value: int64(req.Trace.Tries), Type: "xsd:unsignedInt"},
				genieacs.ParameterValue{Path: m, Value: int64(req.Trace.MaxHops), Type: "xsd:unsignedInt"},
				genieacs.ParameterValue{Path: st, Value: "Requested", Type: "xsd:string"}),
			[]check{{Path: h, Value: req.Trace.Host}, {Path: m, Value: strconv.Itoa(req.Trace.MaxHops)}, {Path: st, Await: "traceroute"}}, nil
	case KindWiFiScan:
		st := first(datamodel.NeighbourScanState)
		values := []genieacs.ParameterValue{{Path: st, Value: "Requested", Type: "xsd:string"}}
		if st5 := first(datamodel.NeighbourScanState5); st5 != "" {
			// Each radio scans on its own (ZTE): the second one too, if
			// the device has it.
			dev, err := s.acs.GetDevice(ctx, r.dev.genieID, []string{st5})
			if err != nil {
				return genieacs.Task{}, nil, err
			}
			if p, ok := dev.Params[st5]; ok && !p.Object {
				values = append(values, genieacs.ParameterValue{Path: st5, Value: "Requested", Type: "xsd:string"})
			}
		}
		return genieacs.SetParameterValues(values...), []check{{Path: st, Await: "neighbour"}}, nil
	case KindWiFiChannel:
		ch, auto := first(datamodel.WiFiChannel24), first(datamodel.WiFiAutoChannel24)
		if req.Chan.Band == Band5 {
			ch, auto = first(datamodel.WiFiChannel5), first(datamodel.WiFiAutoChannel5)
		}
		return genieacs.SetParameterValues(
				genieacs.ParameterValue{Path: auto, Value: false, Type: "xsd:boolean"},
				genieacs.ParameterValue{Path: ch, Value: int64(req.Chan.Channel), Type: "xsd:unsignedInt"}),
			[]check{{Path: auto, Value: "false"}, {Path: ch, Value: strconv.Itoa(req.Chan.Channel)}}, nil
	case KindWiFi:
		return s.buildWiFi(ctx, r, *req.WiFi)
	}
	return genieacs.Task{}, nil, fail("unknown task kind %q", r.kind)
}

// buildWiFi resolves each band's SSID and key paths on the subtree just
// read from the device (refreshFirst), vendor paths first: Huawei's key is
// PreSharedKey.1.PreSharedKey, ZTE's PreSharedKey.1.KeyPassphrase,
// TR-181's Security.KeyPassphrase. A band the device does not have is an
// error, except with "both": the other band is set and the task says so.
func (s *Service) buildWiFi(ctx context.Context, r row, in WiFiInput) (genieacs.Task, []check, error) {
	id := r.identity()
	object := treeFirst(r)
	dev, err := s.acs.GetDevice(ctx, r.dev.genieID, []string{object})
	if err != nil {
		return genieacs.Task{}, nil, err
	}
	var values []genieacs.ParameterValue
	var cs []check
	var missing []string
	for _, band := range in.bands() {
		ssidP, keyP := datamodel.WiFiSSID24, datamodel.WiFiKey24
		if band == Band5 {
			ssidP, keyP = datamodel.WiFiSSID5, datamodel.WiFiKey5
		}
		ssid, found := datamodel.Resolve(ssidP, id, maps.Keys(dev.Params))
		key, keyFound := datamodel.Resolve(keyP, id, maps.Keys(dev.Params))
		if hex64.MatchString(in.Password) {
			key = pskPath(key)
			_, keyFound = dev.Params[key]
		}
		if !found || !keyFound {
			missing = append(missing, bandLabel(band))
			continue
		}
		values = append(values,
			genieacs.ParameterValue{Path: ssid, Value: in.SSID, Type: "xsd:string"},
			genieacs.ParameterValue{Path: key, Value: in.Password, Type: "xsd:string"})
		cs = append(cs, check{Path: ssid, Value: in.SSID}, check{Path: key, Secret: true})
	}
	if len(values) == 0 || (in.Band != BandBoth && len(missing) > 0) {
		return genieacs.Task{}, nil, fail("the device has no %s Wi-Fi", strings.Join(missing, " or "))
	}
	if len(missing) > 0 {
		cs = append(cs, check{Note: "set on " + strings.Join(setBands(in, missing), " and ") + " only: the device has no " +
			strings.Join(missing, " or ") + " Wi-Fi"})
	}
	return genieacs.SetParameterValues(values...), cs, nil
}

// setBands is the bands of in that are not missing.
func setBands(in WiFiInput, missing []string) []string {
	var out []string
	for _, b := range in.bands() {
		if !slices.Contains(missing, bandLabel(b)) {
			out = append(out, bandLabel(b))
		}
	}
	return out
}

// pskPath is where a raw 64-hex key goes instead of the passphrase.
func pskPath(key string) string {
	switch {
	case strings.HasSuffix(key, ".Security.KeyPassphrase"):
		return strings.TrimSuffix(key, "KeyPassphrase") + "PreSharedKey"
	case strings.HasSuffix(key, ".PreSharedKey.1.KeyPassphrase"):
		return strings.TrimSuffix(key, "KeyPassphrase") + "PreSharedKey"
	case strings.HasSuffix(key, ".KeyPassphrase"):
		return strings.TrimSuffix(key, "KeyPassphrase") + "PreSharedKey.1.PreSharedKey"
	}
	return key
}

// tag adds or removes one tag on the device in GenieACS and here.
func (s *Service) tag(ctx context.Context, r row, tag string) error {
	var err error
	if r.kind == KindTagAdd {
		err = s.acs.AddTag(ctx, r.dev.genieID, tag)
	} else {
		err = s.acs.RemoveTag(ctx, r.dev.genieID, tag)
	}
	if err != nil {
		return err
	}
	if err := cpe.SetTag(ctx, s.pool, r.dev.id, tag, r.kind == KindTagAdd); err != nil {
		return err
	}
	return s.finish(ctx, r.id, StatusDone, "", "", nil)
}

// TaskWorker follows tasks (TaskArgs) to their end.
type TaskWorker struct {
	river.WorkerDefaults[TaskArgs]
	Service *Service
}

// Timeout implements river.Worker: a send waits for the device's session.
func (w *TaskWorker) Timeout(*river.Job[TaskArgs]) time.Duration { return 4 * time.Minute }

// Work advances the task, then comes back while it is followed.
func (w *TaskWorker) Work(ctx context.Context, job *river.Job[TaskArgs]) error {
	err := w.Service.advance(ctx, job.Args.TaskID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return river.JobCancel(errors.New("task deleted"))
	case errors.Is(err, genieacs.ErrCircuitOpen):
		return err // the jobs middleware (jobs.BreakerSnooze) snoozes the job
	}
	if err != nil && !genieacs.IsRetryable(err) {
		return err
	}
	open, failed, age, ferr := w.Service.followed(ctx, job.Args.TaskID)
	switch {
	case ferr != nil:
		return ferr
	case open || err != nil:
		return river.JobSnooze(followInterval(w.Service.followEvery(), age))
	case failed:
		// GenieACS retries a faulted task on its own backoff (minutes):
		// look again now and then, not every few seconds.
		return river.JobSnooze(20 * w.Service.followEvery())
	}
	return nil
}

// followInterval is how long an open task's job waits before it looks
// again: every at first, then a tenth of the task's age, at most 20 ×
// every (5 minutes by default). A device that answers runs its task within
// seconds and is seen at once; one that stays offline for hours is looked
// at every few minutes, not every few seconds (each look is two NBI
// queries: with a bulk action over a large fleet, thousands of such tasks
// wait at once).
func followInterval(every, age time.Duration) time.Duration {
	return min(max(age/10, every), 20*every)
}

// followed reports whether a task still needs its job: open (pending,
// queued, running), or failed while GenieACS still holds and retries it;
// and its age.
func (s *Service) followed(ctx context.Context, id uuid.UUID) (open, failed bool, age time.Duration, err error) {
	t, err := db.One[struct {
		Open      bool      `db:"open"`
		Failed    bool      `db:"failed"`
		CreatedAt time.Time `db:"created_at"`
	}](ctx, s.pool, `SELECT status IN ('pending', 'queued', 'running') AS open,
		status = 'failed' AND genieacs_task_id <> '' AND expires_at > now() AS failed, created_at FROM cpe_tasks WHERE id = $1`, id)
	return t.Open, t.Failed, time.Since(t.CreatedAt), db.MapErr(err)
}
