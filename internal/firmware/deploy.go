package firmware

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // maintenance windows name IANA zones; the binary carries them

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Window is a maintenance window: new downloads are sent only on Days
// (mon … sun; none: every day) between From and To (HH:MM, To before From
// spans midnight) in Timezone (IANA, e.g. Africa/Nairobi).
type Window struct {
	Days     []string `json:"days"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Timezone string   `json:"timezone"`
}

// Halt is the stop rule: once at least MinDevices of a wave finished, a
// failure rate over FailureRatePercent halts the deployment; a device that
// does not come back within OfflineGraceMinutes of its download counts as
// failed (offline).
type Halt struct {
	FailureRatePercent  *int `json:"failureRatePercent"`
	MinDevices          *int `json:"minDevices"`
	OfflineGraceMinutes *int `json:"offlineGraceMinutes"`
}

// DeployInput is POST /cpe/firmware/deploy's body: the spec's filename and
// model (product class), and the rollout's shape.
type DeployInput struct {
	Filename     string  `json:"filename"`
	Model        string  `json:"model"`
	OnlyOutdated *bool   `json:"onlyOutdated"`
	Waves        []int   `json:"waves"`
	MaxInFlight  *int    `json:"maxInFlight"`
	Window       *Window `json:"window"`
	Halt         *Halt   `json:"halt"`
	DryRun       bool    `json:"dryRun"`
}

// Defaults of a deployment.
const (
	DefaultMaxInFlight   = 10
	DefaultFailureRate   = 10
	DefaultMinDevices    = 5
	DefaultOfflineGrace  = 30
	maxWaves             = 10
	maxInFlightLimit     = 1000
	offlineGraceMaxMins  = 24 * 60
	dryRunDevicesListed  = 100
	deploymentJobTimeout = 10 * time.Minute
)

var days = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

var hhmmRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// plan is a validated input.
type plan struct {
	in           DeployInput
	onlyOutdated bool
	waves        []int
	maxInFlight  int
	windowDays   []int // nil: no window
	window       Window
	rate, min    int
	grace        int
}

func (in DeployInput) validate() (plan, error) {
	errs := validation.Errors{}
	p := plan{in: in, onlyOutdated: in.OnlyOutdated == nil || *in.OnlyOutdated, maxInFlight: DefaultMaxInFlight,
		rate: DefaultFailureRate, min: DefaultMinDevices, grace: DefaultOfflineGrace}
	p.in.Filename = strings.TrimSpace(in.Filename)
	if p.in.Filename == "" {
		errs.Add("filename", "is required: the file name of an image in your library")
	}
	p.in.Model = validation.Text(errs, "model", in.Model, 1, 64)

	p.waves = in.Waves
	if len(p.waves) == 0 {
		p.waves = []int{100}
	}
	switch {
	case len(p.waves) > maxWaves:
		errs.Add("waves", fmt.Sprintf("at most %d waves", maxWaves))
	case p.waves[len(p.waves)-1] != 100:
		errs.Add("waves", "the last wave must be 100 (percentages of the targets reached after each wave, e.g. [10, 50, 100])")
	default:
		for i, w := range p.waves {
			if w < 1 || w > 100 || (i > 0 && w <= p.waves[i-1]) {
				errs.Add("waves", "must be increasing percentages from 1 to 100, e.g. [10, 50, 100]")
				break
			}
		}
	}
	if in.MaxInFlight != nil {
		p.maxInFlight = *in.MaxInFlight
		if p.maxInFlight < 1 || p.maxInFlight > maxInFlightLimit {
			errs.Add("maxInFlight", fmt.Sprintf("must be between 1 and %d", maxInFlightLimit))
		}
	}
	if w := in.Window; w != nil {
		p.window = *w
		if len(w.Days) == 0 {
			p.windowDays = []int{0, 1, 2, 3, 4, 5, 6}
		}
		for _, d := range w.Days {
			i := slices.Index(days, strings.ToLower(strings.TrimSpace(d)))
			if i < 0 {
				errs.Add("window.days", "must be days such as mon, tue, wed, thu, fri, sat, sun")
				break
			}
			if !slices.Contains(p.windowDays, i) {
				p.windowDays = append(p.windowDays, i)
			}
		}
		slices.Sort(p.windowDays)
		if !hhmmRE.MatchString(w.From) {
			errs.Add("window.from", "must be a time of day HH:MM, e.g. 01:00")
		}
		if !hhmmRE.MatchString(w.To) {
			errs.Add("window.to", "must be a time of day HH:MM, e.g. 05:00")
		} else if w.To == w.From {
			errs.Add("window.to", "must differ from window.from")
		}
		if strings.TrimSpace(w.Timezone) == "" {
			errs.Add("window.timezone", "is required, e.g. Africa/Nairobi")
		} else if _, err := time.LoadLocation(w.Timezone); err != nil || strings.EqualFold(w.Timezone, "local") {
			errs.Add("window.timezone", fmt.Sprintf("unknown time zone %q; use an IANA name such as Africa/Nairobi or UTC", w.Timezone))
		}
	}
	if h := in.Halt; h != nil {
		if h.FailureRatePercent != nil {
			if p.rate = *h.FailureRatePercent; p.rate < 0 || p.rate > 100 {
				errs.Add("halt.failureRatePercent", "must be between 0 and 100")
			}
		}
		if h.MinDevices != nil {
			if p.min = *h.MinDevices; p.min < 1 || p.min > 100000 {
				errs.Add("halt.minDevices", "must be between 1 and 100000")
			}
		}
		if h.OfflineGraceMinutes != nil {
			if p.grace = *h.OfflineGraceMinutes; p.grace < 1 || p.grace > offlineGraceMaxMins {
				errs.Add("halt.offlineGraceMinutes", fmt.Sprintf("must be between 1 and %d", offlineGraceMaxMins))
			}
		}
	}
	return p, errs.Err()
}

// DeployResult is POST /cpe/firmware/deploy's answer: the spec's counts of
// download tasks created so far (none yet: the deployment's job sends
// them), the devices targeted, where to follow it. A dry run fills Waves
// and Devices instead and stores nothing.
type DeployResult struct {
	DeploymentID *uuid.UUID `json:"deploymentId"`
	Targeted     int        `json:"targeted"`
	Skipped      int        `json:"skipped"`
	Succeeded    int        `json:"succeeded"`
	Failed       int        `json:"failed"`
	StatusURL    string     `json:"statusUrl,omitempty"`
	DryRun       bool       `json:"dryRun,omitempty"`
	Waves        []int      `json:"waves,omitempty"`   // devices per wave (dry run)
	Devices      []string   `json:"devices,omitempty"` // the first serials, in sending order (dry run)
}

// Deploy starts a deployment of an image to the organization's devices of
// its model (or, with DryRun, says what it would do).
func (s *Service) Deploy(ctx context.Context, a actor.Actor, in DeployInput) (DeployResult, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return DeployResult{}, err
	}
	p, err := in.validate()
	if err != nil {
		return DeployResult{}, err
	}
	img, err := db.One[Image](ctx, s.pool, `SELECT `+imageColumns+` FROM firmware_images
		WHERE org_id = $1 AND filename = $2 AND state = 'ready'`, a.OrgID, p.in.Filename)
	if errors.Is(db.MapErr(err), db.ErrNotFound) {
		return DeployResult{}, validation.Errors{"filename": fmt.Sprintf("no image %q in your library", p.in.Filename)}
	} else if err != nil {
		return DeployResult{}, err
	}
	if img.ProductClass != p.in.Model {
		return DeployResult{}, validation.Errors{"model": fmt.Sprintf("the image %s is for %s (OUI %s), not %s", img.Filename, img.ProductClass, img.OUI, p.in.Model)}
	}
	if s.acs == nil && !p.in.DryRun {
		return DeployResult{}, validation.Errors{"filename": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	targets, err := cpe.FirmwareTargets(ctx, s.pool, a.OrgID, img.OUI, img.ProductClass)
	if err != nil {
		return DeployResult{}, err
	}
	if len(targets) == 0 {
		return DeployResult{}, validation.Errors{"model": fmt.Sprintf("none of your devices is a %s with OUI %s known to GenieACS", img.ProductClass, img.OUI)}
	}
	rand.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	var send, skip []cpe.FirmwareTarget
	for _, t := range targets {
		if p.onlyOutdated && t.SoftwareVersion == img.Version {
			skip = append(skip, t)
		} else {
			send = append(send, t)
		}
	}
	if len(send) == 0 {
		return DeployResult{}, validation.Errors{"model": fmt.Sprintf("all %d of your %s devices already run %s", len(targets), img.ProductClass, img.Version)}
	}
	waveOf := waveSizes(len(send), p.waves)
	if p.in.DryRun {
		r := DeployResult{DryRun: true, Targeted: len(send), Skipped: len(skip), Waves: waveOf}
		for _, t := range send[:min(len(send), dryRunDevicesListed)] {
			r.Devices = append(r.Devices, t.Serial)
		}
		return r, nil
	}

	var id uuid.UUID
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var windowDays []int
		if p.windowDays != nil {
			windowDays = p.windowDays
		}
		if err := tx.QueryRow(ctx, `INSERT INTO firmware_deployments (org_id, image_id, filename, stored_name, oui, product_class, version,
				only_outdated, waves, max_in_flight, window_days, window_from, window_to, window_tz,
				failure_rate_percent, min_devices, offline_grace_minutes, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			a.OrgID, img.ID, img.Filename, img.StoredName, img.OUI, img.ProductClass, img.Version,
			p.onlyOutdated, p.waves, p.maxInFlight, windowDays, p.window.From, p.window.To, p.window.Timezone,
			p.rate, p.min, p.grace, a.Label).Scan(&id); err != nil {
			return fmt.Errorf("insert deployment: %w", err)
		}
		rows := make([][]any, 0, len(targets))
		pos, wave := 0, 0
		for i, t := range send {
			for wave < len(waveOf)-1 && i >= cumulative(waveOf, wave) {
				wave++
			}
			rows = append(rows, []any{id, t.ID, pos, wave, t.GenieACSID, t.Serial, t.SoftwareVersion, "waiting", ""})
			pos++
		}
		for _, t := range skip {
			rows = append(rows, []any{id, t.ID, pos, -1, t.GenieACSID, t.Serial, t.SoftwareVersion, "skipped", "already runs " + img.Version})
			pos++
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"firmware_deployment_devices"},
			[]string{"deployment_id", "device_id", "position", "wave", "genieacs_id", "serial", "from_version", "state", "detail"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("insert deployment devices: %w", err)
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "firmware.deploy", TargetType: "firmware_deployment", TargetID: id.String(),
			Summary: fmt.Sprintf("deployed %s (%s version %s) to %d devices in waves %v, at most %d at once%s",
				img.Filename, img.ProductClass, img.Version, len(send), p.waves, p.maxInFlight, windowSummary(p))}); err != nil {
			return err
		}
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicFirmwareStarted, map[string]any{
			"deploymentId": id, "filename": img.Filename, "model": img.ProductClass, "version": img.Version,
			"targeted": len(send), "skipped": len(skip), "waves": p.waves,
		}); err != nil {
			return err
		}
		_, err := s.jobs.InsertTx(ctx, tx, DeploymentArgs{DeploymentID: id}, nil)
		return err
	})
	if err != nil {
		return DeployResult{}, err
	}
	return DeployResult{DeploymentID: &id, Targeted: len(send), Skipped: len(skip), StatusURL: "/cpe/firmware/deployments/" + id.String()}, nil
}

// waveSizes splits n devices over cumulative percentages (each wave at
// least one device while devices are left).
func waveSizes(n int, waves []int) []int {
	out := make([]int, len(waves))
	done := 0
	for i, pct := range waves {
		upto := int(math.Ceil(float64(n) * float64(pct) / 100))
		if upto <= done && done < n {
			upto = done + 1
		}
		upto = min(upto, n)
		out[i] = upto - done
		done = upto
	}
	return out
}

// cumulative is how many devices waves 0..w hold.
func cumulative(sizes []int, w int) int {
	n := 0
	for _, s := range sizes[:w+1] {
		n += s
	}
	return n
}

func windowSummary(p plan) string {
	if p.windowDays == nil {
		return ""
	}
	names := make([]string, len(p.windowDays))
	for i, d := range p.windowDays {
		names[i] = days[d]
	}
	return fmt.Sprintf(", in the window %s–%s %s on %s", p.window.From, p.window.To, p.window.Timezone, strings.Join(names, ","))
}
