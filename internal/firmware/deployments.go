package firmware

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
)

// DeviceStates are the states a deployment's device passes through, in
// the order shown.
func DeviceStates() []string {
	return []string{"waiting", "sending", "sent", "downloading", "upgraded", "failed", "offline", "skipped"}
}

// Counts are a deployment's devices per state, overall and per wave.
type Counts struct {
	States map[string]int `json:"states"`
	Waves  []WaveCounts   `json:"waves"`
}

// WaveCounts are one wave's devices per state.
type WaveCounts struct {
	Wave    int            `json:"wave"` // 1-based
	Percent int            `json:"percent"`
	Devices int            `json:"devices"`
	States  map[string]int `json:"states"`
}

// Done is the share of a wave's devices that reached an outcome.
func (w WaveCounts) Done() int {
	if w.Devices == 0 {
		return 100
	}
	return (w.States["upgraded"] + w.States["failed"] + w.States["offline"] + w.States["skipped"]) * 100 / w.Devices
}

// Deployment is a deployment as the API and pages show it.
type Deployment struct {
	ID                  uuid.UUID  `json:"id" db:"id"`
	Filename            string     `json:"filename" db:"filename"`
	OUI                 string     `json:"oui" db:"oui"`
	Model               string     `json:"model" db:"product_class"`
	Version             string     `json:"version" db:"version"`
	OnlyOutdated        bool       `json:"onlyOutdated" db:"only_outdated"`
	Waves               []int      `json:"waves" db:"waves"`
	MaxInFlight         int        `json:"maxInFlight" db:"max_in_flight"`
	WindowDays          []int      `json:"-" db:"window_days"`
	WindowFrom          string     `json:"-" db:"window_from"`
	WindowTo            string     `json:"-" db:"window_to"`
	WindowTZ            string     `json:"-" db:"window_tz"`
	FailureRatePercent  int        `json:"failureRatePercent" db:"failure_rate_percent"`
	MinDevices          int        `json:"minDevices" db:"min_devices"`
	OfflineGraceMinutes int        `json:"offlineGraceMinutes" db:"offline_grace_minutes"`
	State               string     `json:"state" db:"state"`
	HaltReason          string     `json:"haltReason" db:"halt_reason"`
	Wave                int        `json:"currentWave" db:"wave"` // 0-based in the table
	CreatedBy           string     `json:"createdBy" db:"created_by"`
	CreatedAt           time.Time  `json:"createdAt" db:"created_at"`
	FinishedAt          *time.Time `json:"finishedAt" db:"finished_at"`

	Window *Window `json:"window" db:"-"`
	Counts Counts  `json:"counts" db:"-"`
	// Failing lists the failed and offline devices with why (detail only).
	Failing []DeviceOutcome `json:"failing,omitempty" db:"-"`
}

// DeviceOutcome is one device of a deployment.
type DeviceOutcome struct {
	DeviceID    uuid.UUID  `json:"deviceId" db:"device_id"`
	Serial      string     `json:"serial" db:"serial"`
	Wave        int        `json:"wave" db:"wave"`
	State       string     `json:"state" db:"state"`
	FromVersion string     `json:"fromVersion" db:"from_version"`
	Detail      string     `json:"detail" db:"detail"`
	FinishedAt  *time.Time `json:"finishedAt" db:"finished_at"`
}

const deploymentColumns = `id, filename, oui, product_class, version, only_outdated, waves, max_in_flight, window_days, window_from,
	window_to, window_tz, failure_rate_percent, min_devices, offline_grace_minutes, state, halt_reason, wave, created_by, created_at, finished_at`

// ErrDeploymentState: the deployment is not in a state the action applies
// to (409).
var ErrDeploymentState = errors.New("the deployment is not in a state this applies to")

// ErrImageInUse: an unfinished deployment sends the image (409).
var ErrImageInUse = errors.New("a deployment that is not finished uses this image; cancel it first")

// Deployments lists the organization's deployments, newest first, with
// their counts.
func (s *Service) Deployments(ctx context.Context, a actor.Actor, limit int) ([]Deployment, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deploymentColumns+` FROM firmware_deployments WHERE org_id = $1
		ORDER BY created_at DESC, id LIMIT $2`, a.OrgID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[Deployment])
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	ids := make([]uuid.UUID, len(ds))
	for i := range ds {
		ds[i].fill()
		ids[i] = ds[i].ID
	}
	byID, err := stateCounts(ctx, s.pool, ids) // one query for the page, not two per deployment
	if err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].Counts = newCounts(ds[i].Waves, byID[ds[i].ID])
	}
	return ds, nil
}

// GetDeployment returns one deployment with its counts and failing devices.
func (s *Service) GetDeployment(ctx context.Context, a actor.Actor, id uuid.UUID) (Deployment, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Deployment{}, err
	}
	d, err := db.One[Deployment](ctx, s.pool, `SELECT `+deploymentColumns+` FROM firmware_deployments WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	if err != nil {
		return Deployment{}, db.MapErr(err)
	}
	d.fill()
	if d.Counts, err = counts(ctx, s.pool, id); err != nil {
		return Deployment{}, err
	}
	rows, err := s.pool.Query(ctx, `SELECT device_id, serial, wave, state, from_version, detail, finished_at
		FROM firmware_deployment_devices WHERE deployment_id = $1 AND state IN ('failed', 'offline')
		ORDER BY finished_at DESC NULLS LAST, position LIMIT 200`, id)
	if err != nil {
		return Deployment{}, err
	}
	if d.Failing, err = pgx.CollectRows(rows, pgx.RowToStructByName[DeviceOutcome]); err != nil {
		return Deployment{}, err
	}
	for i := range d.Failing {
		d.Failing[i].Wave++
	}
	return d, nil
}

func (d *Deployment) fill() {
	if d.WindowDays != nil {
		w := &Window{From: d.WindowFrom, To: d.WindowTo, Timezone: d.WindowTZ}
		for _, i := range d.WindowDays {
			w.Days = append(w.Days, days[i])
		}
		d.Window = w
	}
	d.Wave++
}

// counts reads a deployment's devices per state and wave.
func counts(ctx context.Context, q db.Executor, id uuid.UUID) (Counts, error) {
	var waves []int
	if err := q.QueryRow(ctx, `SELECT waves FROM firmware_deployments WHERE id = $1`, id).Scan(&waves); err != nil {
		return Counts{}, err
	}
	byID, err := stateCounts(ctx, q, []uuid.UUID{id})
	if err != nil {
		return Counts{}, err
	}
	return newCounts(waves, byID[id]), nil
}

// countRow is how many of a deployment's devices of one wave are in one
// state.
type countRow struct {
	ID    uuid.UUID `db:"deployment_id"`
	Wave  int       `db:"wave"`
	State string    `db:"state"`
	N     int       `db:"n"`
}

// stateCounts reads the per-wave, per-state counts of deployments, by id.
func stateCounts(ctx context.Context, q db.Executor, ids []uuid.UUID) (map[uuid.UUID][]countRow, error) {
	rows, err := q.Query(ctx, `SELECT deployment_id, wave, state, count(*) AS n FROM firmware_deployment_devices
		WHERE deployment_id = ANY($1) GROUP BY deployment_id, wave, state`, ids)
	if err != nil {
		return nil, fmt.Errorf("deployment counts: %w", err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[countRow])
	if err != nil {
		return nil, fmt.Errorf("deployment counts: %w", err)
	}
	out := map[uuid.UUID][]countRow{}
	for _, c := range cs {
		out[c.ID] = append(out[c.ID], c)
	}
	return out, nil
}

// newCounts sums a deployment's rows into its counts; waves are its
// cumulative percentages (skipped devices have wave -1: counted overall).
func newCounts(waves []int, rows []countRow) Counts {
	c := Counts{States: map[string]int{}}
	for _, st := range DeviceStates() {
		c.States[st] = 0
	}
	for i, pct := range waves {
		c.Waves = append(c.Waves, WaveCounts{Wave: i + 1, Percent: pct, States: map[string]int{}})
	}
	for _, r := range rows {
		c.States[r.State] += r.N
		if r.Wave >= 0 && r.Wave < len(c.Waves) {
			c.Waves[r.Wave].States[r.State] += r.N
			c.Waves[r.Wave].Devices += r.N
		}
	}
	return c
}

// Pause stops sending new downloads (devices in flight are still followed).
func (s *Service) Pause(ctx context.Context, a actor.Actor, id uuid.UUID) (Deployment, error) {
	return s.transition(ctx, a, id, "firmware.pause", []string{"running"}, "paused")
}

// Resume sends again (a paused or halted deployment).
func (s *Service) Resume(ctx context.Context, a actor.Actor, id uuid.UUID) (Deployment, error) {
	return s.transition(ctx, a, id, "firmware.resume", []string{"paused", "halted"}, "running")
}

// Cancel ends a deployment: queued downloads are withdrawn from GenieACS,
// the devices not sent yet are skipped; those downloading finish.
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id uuid.UUID) (Deployment, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return Deployment{}, err
	}
	d, err := s.GetDeployment(ctx, a, id)
	if err != nil {
		return Deployment{}, err
	}
	if d.State != "running" && d.State != "paused" && d.State != "halted" {
		return Deployment{}, ErrDeploymentState
	}
	if s.acs == nil {
		return Deployment{}, errors.New("GenieACS is not configured")
	}
	if d.State == "halted" { // stop moves running or paused ones only
		if _, err := s.pool.Exec(ctx, `UPDATE firmware_deployments SET state = 'paused' WHERE id = $1 AND state = 'halted'`, id); err != nil {
			return Deployment{}, err
		}
	}
	if err := s.stop(ctx, deployment{ID: id, OrgID: a.OrgID, Filename: d.Filename}, "cancelled", "cancelled by "+a.Label); err != nil {
		return Deployment{}, err
	}
	if err := audit.Record(ctx, s.pool, a, audit.Entry{Action: "firmware.cancel", TargetType: "firmware_deployment", TargetID: id.String(),
		Summary: fmt.Sprintf("cancelled the deployment of %s (%s version %s)", d.Filename, d.Model, d.Version)}); err != nil {
		return Deployment{}, err
	}
	return s.GetDeployment(ctx, a, id)
}

// transition moves a deployment between states, audited, and (to running)
// enqueues its job again.
func (s *Service) transition(ctx context.Context, a actor.Actor, id uuid.UUID, action string, from []string, to string) (Deployment, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return Deployment{}, err
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var filename, model, version string
		err := tx.QueryRow(ctx, `UPDATE firmware_deployments SET state = $4, halt_reason = CASE WHEN $4 = 'running' THEN '' ELSE halt_reason END
			WHERE org_id = $1 AND id = $2 AND state = ANY($3) RETURNING filename, product_class, version`,
			a.OrgID, id, from, to).Scan(&filename, &model, &version)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM firmware_deployments WHERE org_id = $1 AND id = $2)`, a.OrgID, id).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return db.ErrNotFound
			}
			return ErrDeploymentState
		} else if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: action, TargetType: "firmware_deployment", TargetID: id.String(),
			Summary: fmt.Sprintf("%s the deployment of %s (%s version %s)", map[string]string{"paused": "paused", "running": "resumed"}[to], filename, model, version)}); err != nil {
			return err
		}
		if to == "running" {
			_, err = s.jobs.InsertTx(ctx, tx, DeploymentArgs{DeploymentID: id, Resumed: time.Now().UnixNano()}, nil)
		}
		return err
	})
	if err != nil {
		return Deployment{}, err
	}
	return s.GetDeployment(ctx, a, id)
}
