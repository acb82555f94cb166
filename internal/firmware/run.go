package firmware

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
)

// DeploymentArgs is the job that runs one deployment: it follows the
// devices in flight, applies the halt rule, and sends the next downloads,
// then waits FollowEvery and runs again until nothing is left to do.
type DeploymentArgs struct {
	DeploymentID uuid.UUID `json:"deploymentId"`
	// Resumed tells a resume's job from the one it may overlap with (a
	// job finishing as the resume came); the deployment's lock keeps the
	// two from stepping at once.
	Resumed int64 `json:"resumed,omitempty"`
}

// Kind implements river.JobArgs.
func (DeploymentArgs) Kind() string { return "firmware_deployment" }

// InsertOpts implements river.JobArgsWithInsertOpts: the GenieACS queue,
// one job per deployment at a time (a finished job does not count: a
// resume enqueues the deployment again).
func (DeploymentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: genieacs.QueueName, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

// DeploymentWorker runs deployments.
type DeploymentWorker struct {
	river.WorkerDefaults[DeploymentArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *DeploymentWorker) Timeout(*river.Job[DeploymentArgs]) time.Duration {
	return deploymentJobTimeout
}

// Work advances the deployment once; it comes back after the wait advance
// asks for.
func (w *DeploymentWorker) Work(ctx context.Context, job *river.Job[DeploymentArgs]) error {
	again, err := w.Service.advance(ctx, job.Args.DeploymentID, time.Now())
	if err != nil {
		return err
	}
	if again == 0 {
		// A resume while this job ran found it running and enqueued
		// nothing: it carries on.
		var state string
		err := w.Service.pool.QueryRow(ctx, `SELECT state FROM firmware_deployments WHERE id = $1`, job.Args.DeploymentID).Scan(&state)
		if err == nil && state == "running" {
			again = w.Service.followEvery()
		}
	}
	if again > 0 {
		return river.JobSnooze(again)
	}
	return nil
}

// deployment is a deployment as its job reads it.
type deployment struct {
	ID           uuid.UUID `db:"id"`
	OrgID        uuid.UUID `db:"org_id"`
	Filename     string    `db:"filename"`
	StoredName   string    `db:"stored_name"`
	ProductClass string    `db:"product_class"`
	Version      string    `db:"version"`
	Waves        []int     `db:"waves"`
	MaxInFlight  int       `db:"max_in_flight"`
	WindowDays   []int     `db:"window_days"`
	WindowFrom   string    `db:"window_from"`
	WindowTo     string    `db:"window_to"`
	WindowTZ     string    `db:"window_tz"`
	Rate         int       `db:"failure_rate_percent"`
	MinDevices   int       `db:"min_devices"`
	Grace        int       `db:"offline_grace_minutes"`
	State        string    `db:"state"`
	Wave         int       `db:"wave"`
}

// member is a device of a deployment in flight.
type member struct {
	DeviceID      uuid.UUID  `db:"device_id"`
	GenieACSID    string     `db:"genieacs_id"`
	State         string     `db:"state"`
	TaskID        string     `db:"task_id"`
	SentAt        *time.Time `db:"sent_at"`
	DownloadingAt *time.Time `db:"downloading_at"`
}

// inFlight are the states between "task sent" and an outcome.
var inFlight = []string{"sending", "sent", "downloading"}

// advance runs a deployment one step at now: outcomes of the devices in
// flight, the halt rule, then (running, in its window) the next downloads
// up to the cap and the next wave. It returns how long to wait before the
// next step (0: the deployment needs no more steps).
func (s *Service) advance(ctx context.Context, id uuid.UUID, now time.Time) (time.Duration, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, "firmware-deployment:"+id.String()).Scan(&locked); err != nil {
		return 0, err
	}
	if !locked {
		return s.followEvery(), nil // another job is stepping it
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, "firmware-deployment:"+id.String())
	}()
	d, err := db.One[deployment](ctx, s.pool, `SELECT id, org_id, filename, stored_name, product_class, version, waves, max_in_flight,
			window_days, window_from, window_to, window_tz, failure_rate_percent, min_devices, offline_grace_minutes, state, wave
		FROM firmware_deployments WHERE id = $1`, id)
	if errors.Is(db.MapErr(err), db.ErrNotFound) {
		return 0, nil // deleted with its organization
	} else if err != nil {
		return 0, err
	}
	if s.acs == nil {
		return 0, errors.New("firmware deployment: GenieACS is not configured")
	}
	if err := s.follow(ctx, d, now); err != nil {
		return 0, err
	}
	if d.State == "running" {
		if halted, err := s.checkHalt(ctx, d); err != nil {
			return 0, err
		} else if halted {
			d.State = "halted"
		}
	}
	if d.State == "running" {
		open, opensIn := d.inWindow(now)
		if !open {
			return min(s.followEvery(), max(opensIn, time.Second)), nil
		}
		finished, err := s.send(ctx, &d, now)
		if err != nil {
			return 0, err
		}
		if finished {
			return 0, nil
		}
		return s.followEvery(), nil
	}
	// Paused, halted or cancelled: devices already downloading are still
	// followed to their outcome.
	var left int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM firmware_deployment_devices WHERE deployment_id = $1 AND state = ANY($2)`,
		id, inFlight).Scan(&left); err != nil {
		return 0, err
	}
	if left > 0 {
		return s.followEvery(), nil
	}
	return 0, nil
}

func (s *Service) followEvery() time.Duration {
	if s.FollowEvery > 0 {
		return s.FollowEvery
	}
	return 10 * time.Second
}

// follow reads the devices in flight back from GenieACS and records their
// outcomes: upgraded when the device reports the new version, failed on
// the download task's fault, downloading once GenieACS ran the task,
// offline past the grace.
func (s *Service) follow(ctx context.Context, d deployment, now time.Time) error {
	rows, err := s.pool.Query(ctx, `SELECT device_id, genieacs_id, state, task_id, sent_at, downloading_at
		FROM firmware_deployment_devices WHERE deployment_id = $1 AND state = ANY($2) ORDER BY position`, d.ID, inFlight)
	if err != nil {
		return err
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[member])
	if err != nil || len(ms) == 0 {
		return err
	}
	ids := make([]string, len(ms))
	faultIDs := []string{}
	for i, m := range ms {
		ids[i] = m.GenieACSID
		if m.TaskID != "" {
			faultIDs = append(faultIDs, m.GenieACSID+":task_"+m.TaskID)
		}
	}
	docs := map[string]*genieacs.Device{}
	if err := s.acs.EachDevice(ctx, map[string]any{"_id": map[string]any{"$in": ids}},
		[]string{"InternetGatewayDevice.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.SoftwareVersion", "Downloads", "_lastInform"}, 1000,
		func(dev *genieacs.Device) error { docs[dev.ID] = dev; return nil }); err != nil {
		return err
	}
	faults := map[string]genieacs.Fault{}
	if len(faultIDs) > 0 {
		fs, err := s.acs.Faults(ctx, map[string]any{"_id": map[string]any{"$in": faultIDs}})
		if err != nil {
			return err
		}
		for _, f := range fs {
			faults[f.ID] = f
		}
	}
	queued := map[string]genieacs.Task{} // our tasks GenieACS still holds, by device
	ts, err := s.acs.Tasks(ctx, map[string]any{"device": map[string]any{"$in": ids}, "uniqueKey": taskKey(d.ID)})
	if err != nil {
		return err
	}
	for _, t := range ts {
		queued[t.Device] = t
	}
	grace := time.Duration(d.Grace) * time.Minute
	for _, m := range ms {
		doc := docs[m.GenieACSID]
		state, detail, taskID := m.State, "", m.TaskID
		f, faulted := faults[m.GenieACSID+":task_"+m.TaskID]
		t, isQueued := queued[m.GenieACSID]
		switch {
		case doc == nil:
			state, detail = "failed", "GenieACS no longer has this device"
		case version(doc) == d.Version:
			state = "upgraded"
		case faulted:
			state, detail = "failed", strings.TrimSpace(f.Code+": "+f.Message)
		case isQueued:
			state, taskID = "sent", t.ID
			if m.SentAt != nil && now.Sub(*m.SentAt) > grace {
				// The device never came for it: withdrawn, so it does not
				// flash later, outside the plan.
				if err := s.acs.DeleteTask(ctx, t.ID); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
					return err
				}
				state, detail = "offline", fmt.Sprintf("did not contact GenieACS within %d minutes; its download was withdrawn", d.Grace)
			}
		case m.State == "sending" && !downloadedSince(doc, d.StoredName, m.SentAt):
			// Marked, but GenieACS never got the task (a crash between the
			// two): sent again.
			state = "waiting"
		case m.State == "downloading" && m.DownloadingAt != nil && now.Sub(*m.DownloadingAt) > grace:
			state, detail = "offline", fmt.Sprintf("did not come back within %d minutes of its download", d.Grace)
		default:
			state = "downloading"
		}
		if state == m.State && taskID == m.TaskID {
			continue
		}
		if err := s.record(ctx, d.ID, m.DeviceID, m.State, state, taskID, detail, now); err != nil {
			return err
		}
	}
	return nil
}

// record moves one device from one state to another (only if it is still
// in the first: a cancel may have moved it).
func (s *Service) record(ctx context.Context, id, deviceID uuid.UUID, from, to, taskID, detail string, now time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE firmware_deployment_devices SET state = $4, task_id = $5, detail = $6,
			downloading_at = CASE WHEN $4 = 'downloading' AND downloading_at IS NULL THEN $7 ELSE downloading_at END,
			sent_at = CASE WHEN $4 = 'waiting' THEN NULL ELSE sent_at END,
			finished_at = CASE WHEN $4 IN ('upgraded', 'failed', 'offline') THEN $7 ELSE finished_at END
		WHERE deployment_id = $1 AND device_id = $2 AND state = $3`, id, deviceID, from, to, taskID, detail, now)
	return err
}

// version is the firmware a device document reports.
func version(doc *genieacs.Device) string {
	if v := doc.String("Device.DeviceInfo.SoftwareVersion"); v != "" {
		return v
	}
	return doc.String("InternetGatewayDevice.DeviceInfo.SoftwareVersion")
}

// downloadedSince reports whether GenieACS sent the device a Download of
// file since t (its Downloads.1 record).
func downloadedSince(doc *genieacs.Device, file string, t *time.Time) bool {
	if doc.String("Downloads.1.FileName") != file {
		return false
	}
	p, ok := doc.Params["Downloads.1.Download"]
	if !ok || t == nil {
		return ok
	}
	at, _ := p.Value.(string)
	when, err := time.Parse(time.RFC3339Nano, at)
	return err == nil && !when.Before(t.Add(-time.Second))
}

// checkHalt applies the halt rule to the current wave; halting withdraws
// the downloads GenieACS still holds.
func (s *Service) checkHalt(ctx context.Context, d deployment) (bool, error) {
	var finished, failures int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state IN ('upgraded', 'failed', 'offline')),
			count(*) FILTER (WHERE state IN ('failed', 'offline'))
		FROM firmware_deployment_devices WHERE deployment_id = $1 AND wave = $2`, d.ID, d.Wave).Scan(&finished, &failures); err != nil {
		return false, err
	}
	if finished < d.MinDevices || failures*100 <= d.Rate*finished {
		return false, nil
	}
	reason := fmt.Sprintf("wave %d: %d of %d finished devices failed (%d %%), over the %d %% allowed; nothing more is sent",
		d.Wave+1, failures, finished, failures*100/finished, d.Rate)
	return true, s.stop(ctx, d, "halted", reason)
}

// stop ends sending: the deployment takes state (halted or cancelled) and
// the downloads GenieACS still holds are withdrawn (back to waiting on a
// halt, so a resume sends them; skipped on a cancel, with the waiting
// ones).
func (s *Service) stop(ctx context.Context, d deployment, state, reason string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE firmware_deployments SET state = $2, halt_reason = $3,
			finished_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE finished_at END
		WHERE id = $1 AND state IN ('running', 'paused')`, d.ID, state, reason)
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	var sent []string
	rows, err := s.pool.Query(ctx, `SELECT genieacs_id FROM firmware_deployment_devices WHERE deployment_id = $1 AND state = 'sent'`, d.ID)
	if err != nil {
		return err
	}
	if sent, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return err
	}
	var ts []genieacs.Task
	if len(sent) > 0 {
		if ts, err = s.acs.Tasks(ctx, map[string]any{"device": map[string]any{"$in": sent}, "uniqueKey": taskKey(d.ID)}); err != nil {
			return err
		}
	}
	back := "waiting"
	if state == "cancelled" {
		back = "skipped"
	}
	for _, t := range ts {
		if err := s.acs.DeleteTask(ctx, t.ID); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return err
		}
		if _, err := s.pool.Exec(ctx, `UPDATE firmware_deployment_devices SET state = $3, task_id = '', sent_at = NULL, detail = $4
			WHERE deployment_id = $1 AND genieacs_id = $2 AND state = 'sent'`, d.ID, t.Device, back, "withdrawn: "+state); err != nil {
			return err
		}
	}
	if state == "cancelled" {
		if _, err := s.pool.Exec(ctx, `UPDATE firmware_deployment_devices SET state = 'skipped', detail = 'cancelled'
			WHERE deployment_id = $1 AND state = 'waiting'`, d.ID); err != nil {
			return err
		}
	}
	if state == "halted" {
		return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			c, err := counts(ctx, tx, d.ID)
			if err != nil {
				return err
			}
			_, err = outbox.Write(ctx, tx, s.jobs, d.OrgID, outbox.TopicFirmwareHalted, map[string]any{
				"deploymentId": d.ID, "filename": d.Filename, "model": d.ProductClass, "version": d.Version, "reason": reason, "counts": c})
			return err
		})
	}
	return nil
}

// send moves to the next wave when the current one is done and sends
// downloads to waiting devices of the waves reached, up to the cap. It
// reports whether the deployment finished.
func (s *Service) send(ctx context.Context, d *deployment, now time.Time) (bool, error) {
	for {
		var waiting, flying int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'waiting' AND wave <= $2),
				count(*) FILTER (WHERE state = ANY($3))
			FROM firmware_deployment_devices WHERE deployment_id = $1`, d.ID, d.Wave, inFlight).Scan(&waiting, &flying); err != nil {
			return false, err
		}
		if waiting > 0 || flying > 0 {
			break
		}
		if d.Wave+1 >= len(d.Waves) {
			return true, s.complete(ctx, *d)
		}
		d.Wave++
		if _, err := s.pool.Exec(ctx, `UPDATE firmware_deployments SET wave = $2 WHERE id = $1 AND state = 'running'`, d.ID, d.Wave); err != nil {
			return false, err
		}
	}
	// Marked sending first, in one statement that also re-checks the
	// state and the cap: a pause or cancel in between sends nothing.
	rows, err := s.pool.Query(ctx, `WITH dep AS (
			SELECT max_in_flight FROM firmware_deployments WHERE id = $1 AND state = 'running'
		), slots AS (
			SELECT (SELECT max_in_flight FROM dep) - count(*) AS n FROM firmware_deployment_devices
			WHERE deployment_id = $1 AND state = ANY($3)
		), picked AS (
			SELECT device_id FROM firmware_deployment_devices
			WHERE deployment_id = $1 AND state = 'waiting' AND wave <= $2
			ORDER BY position LIMIT greatest((SELECT n FROM slots), 0)
			FOR UPDATE SKIP LOCKED
		)
		UPDATE firmware_deployment_devices f SET state = 'sending', sent_at = $4
		FROM picked WHERE f.deployment_id = $1 AND f.device_id = picked.device_id
		RETURNING f.device_id, f.genieacs_id, f.state, f.task_id, f.sent_at, f.downloading_at`, d.ID, d.Wave, inFlight, now)
	if err != nil {
		return false, err
	}
	batch, err := pgx.CollectRows(rows, pgx.RowToStructByName[member])
	if err != nil {
		return false, err
	}
	// A few at a time: GenieACS's CWMP side takes about 20 concurrent
	// connection requests per worker.
	sem := make(chan struct{}, 4)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, m := range batch {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.sendOne(ctx, *d, m, now); err != nil {
				mu.Lock()
				first = errors.Join(first, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return false, first
}

// sendOne posts one device's download task and records what GenieACS did
// with it. uniqueKey makes a second post replace a queued first one.
func (s *Service) sendOne(ctx context.Context, d deployment, m member, now time.Time) error {
	res, err := s.acs.CreateTask(ctx, m.GenieACSID, genieacs.Task{Name: genieacs.TaskDownload, File: d.StoredName,
		FileType: genieacs.FileTypeFirmware, UniqueKey: taskKey(d.ID)}, genieacs.TaskOptions{ConnectionRequest: true})
	switch {
	case errors.Is(err, genieacs.ErrDeviceNotFound):
		return s.record(ctx, d.ID, m.DeviceID, "sending", "failed", "", "GenieACS no longer has this device", now)
	case err != nil:
		// Left "sending": the next step asks GenieACS whether it has the
		// task before sending again.
		return err
	}
	switch res.Outcome {
	case genieacs.OutcomeDone:
		return s.record(ctx, d.ID, m.DeviceID, "sending", "downloading", res.Task.ID, "", now)
	case genieacs.OutcomeFaulted:
		return s.record(ctx, d.ID, m.DeviceID, "sending", "sent", res.Task.ID, "", now) // follow reads the fault
	default: // queued, offline, not processed, connection request error: it runs at the next inform
		return s.record(ctx, d.ID, m.DeviceID, "sending", "sent", res.Task.ID, res.Reason, now)
	}
}

// complete marks a deployment done and tells the receivers.
func (s *Service) complete(ctx context.Context, d deployment) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE firmware_deployments SET state = 'completed', finished_at = now() WHERE id = $1 AND state = 'running'`, d.ID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		c, err := counts(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		_, err = outbox.Write(ctx, tx, s.jobs, d.OrgID, outbox.TopicFirmwareCompleted, map[string]any{
			"deploymentId": d.ID, "filename": d.Filename, "model": d.ProductClass, "version": d.Version, "counts": c})
		return err
	})
}

// taskKey is the uniqueKey of a deployment's download tasks: GenieACS
// keeps one task per device and key, so a second post for a device (a
// retried step) replaces the first instead of adding a second download.
func taskKey(id uuid.UUID) string { return "fyberpay-firmware-" + id.String() }

// inWindow reports whether now is inside the deployment's maintenance
// window, and if not, how long until it opens (at most a day).
func (d deployment) inWindow(now time.Time) (bool, time.Duration) {
	if d.WindowDays == nil {
		return true, 0
	}
	loc, err := time.LoadLocation(d.WindowTZ)
	if err != nil {
		return false, time.Hour
	}
	from, _ := time.Parse("15:04", d.WindowFrom)
	to, _ := time.Parse("15:04", d.WindowTo)
	fromMin, toMin := from.Hour()*60+from.Minute(), to.Hour()*60+to.Minute()
	local := now.In(loc)
	open := func(t time.Time) bool {
		m := t.Hour()*60 + t.Minute()
		day := int(t.Weekday())
		if fromMin < toMin {
			return slices.Contains(d.WindowDays, day) && m >= fromMin && m < toMin
		}
		// Spans midnight: the window belongs to the day it starts on.
		return (slices.Contains(d.WindowDays, day) && m >= fromMin) || (slices.Contains(d.WindowDays, (day+6)%7) && m < toMin)
	}
	if open(local) {
		return true, 0
	}
	for step := time.Minute; step <= 8*24*time.Hour; step += time.Minute {
		if open(local.Add(step)) {
			return false, step
		}
	}
	return false, 24 * time.Hour
}

// Requeue enqueues a job for every deployment that is not finished, at a
// process's start: the job of a process that died stays "running" in River
// until its rescuer gives up on it (an hour), and a deployment must go on
// where it was. A job stepping a deployment another one steps already
// waits for its lock; it returns how many it enqueued.
func (s *Service) Requeue(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM firmware_deployments d WHERE state = 'running'
		OR (state IN ('paused', 'halted', 'cancelled') AND EXISTS (SELECT 1 FROM firmware_deployment_devices f
			WHERE f.deployment_id = d.id AND f.state = ANY($1)))`, inFlight)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, err
	}
	start := time.Now().UnixNano()
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, id := range ids {
			if _, err := s.jobs.InsertTx(ctx, tx, DeploymentArgs{DeploymentID: id, Resumed: start}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	return len(ids), err
}
