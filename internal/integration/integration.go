// Package integration runs the spec's troubleshooting list live, for the
// Integration page (/admin/integration) and GET /cpe/integration: is the
// GenieACS NBI answering (how fast, which version), is the breaker closed,
// are FyberPay's provisions, presets and speed-test file in GenieACS and the
// same as ours, does identify take FyberPay's internal key (a round trip
// with a marker serial that is never stored) and did GenieACS's ext script
// get refused for a wrong one, when did identify, the sync and the fault
// poll last run, and which devices reached GenieACS but never identify.
// Each check says what it found and, when it is not ok, what to fix in
// plain words.
//
// The report is installation-wide (one GenieACS serves every organization):
// the operator organization's staff only. It never carries a secret, a
// serial or a subscriber's name; GenieACS device ids (which embed the
// serial) are shown masked. The per-device checklist (device.go) is open
// to every organization for its own devices.
package integration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/provisions"
)

// Check statuses.
const (
	StatusOK      = "ok"
	StatusWarn    = "warn"
	StatusFail    = "fail"
	StatusSkipped = "skipped" // not checked: what it needs failed first
)

// Check is one troubleshooting check: what it found and what to fix.
type Check struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"` // ok, warn, fail, skipped
	Found  string `json:"found"`
	Fix    string `json:"fix,omitempty"`
}

// Report is every check, with the figures behind them.
type Report struct {
	CheckedAt time.Time `json:"checkedAt"`
	// OK is every check ok.
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
	// NBI is where GenieACS was called (without credentials) and how it
	// answered.
	NBI      NBI      `json:"nbi"`
	Items    []Item   `json:"items"`
	Identify Identify `json:"identify"`
	// Unidentified are devices GenieACS knows that never reached identify
	// (newest first, at most MaxUnidentified), with their GenieACS faults.
	Unidentified []Unidentified `json:"unidentified"`
}

// NBI is how the GenieACS NBI answered.
type NBI struct {
	URL       string  `json:"url"`
	Reachable bool    `json:"reachable"`
	LatencyMS float64 `json:"latencyMs"`
	Version   string  `json:"version"`
	Error     string  `json:"error,omitempty"`
	Breaker   string  `json:"breaker"`
}

// Item is one of FyberPay's provisions, presets or files in GenieACS.
type Item = provision.Item

// Identify is the identify callback's record.
type Identify struct {
	LastAnswered *time.Time `json:"lastAnswered"`
	LastWrongKey *time.Time `json:"lastWrongKey"`
	// LastAnsweredFrom and LastWrongKeyFrom are those calls' client
	// addresses (GenieACS's, or somebody else's).
	LastAnsweredFrom string `json:"lastAnsweredFrom"`
	LastWrongKeyFrom string `json:"lastWrongKeyFrom"`
	AnsweredLastHour int64  `json:"answeredLastHour"`
	WrongKeyLastHour int64  `json:"wrongKeyLastHour"`
	RefusedLastHour  int64  `json:"refusedLastHour"` // bad input
	// PerMinute is the last hour's calls, oldest first (60 entries).
	PerMinute []MinuteCalls `json:"perMinute"`
}

// MinuteCalls are one minute's identify calls.
type MinuteCalls struct {
	Minute   time.Time `json:"minute"`
	Answered int64     `json:"answered"`
	WrongKey int64     `json:"wrongKey"`
	Refused  int64     `json:"refused"`
}

// Unidentified is a device GenieACS knows and identify never answered.
type Unidentified struct {
	// Device is the GenieACS id with its serial masked.
	Device       string      `json:"device"`
	OUI          string      `json:"oui"`
	ProductClass string      `json:"productClass"`
	Registered   *time.Time  `json:"registered"`
	LastInform   *time.Time  `json:"lastInform"`
	Faults       []FaultSeen `json:"faults"`
}

// FaultSeen is a GenieACS fault as the checks show it.
type FaultSeen struct {
	Channel   string    `json:"channel"`
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Retries   int       `json:"retries"`
	Timestamp time.Time `json:"timestamp"`
}

// KeyProbe calls identify as the ext script does, with the marker serial
// cpe.KeyCheckSerial and FyberPay's internal key, and returns the HTTP
// status and the error's message when it was not 200.
type KeyProbe func(ctx context.Context) (status int, message string)

// Settings are what the checks judge against.
type Settings struct {
	// NBIURL is GENIEACS_NBI_URL ("" when not configured).
	NBIURL *url.URL
	// SyncEvery and FaultPollEvery are the configured intervals: a run
	// older than three of them is late.
	SyncEvery, FaultPollEvery time.Duration
}

// Service runs the checks.
type Service struct {
	pool     *pgxpool.Pool
	acs      *genieacs.Client // nil: GenieACS not configured
	devices  *cpe.Service
	sync     *devsync.Service
	settings Settings
}

// NewService builds the service; acs may be nil.
func NewService(pool *pgxpool.Pool, acs *genieacs.Client, devices *cpe.Service, sync *devsync.Service, s Settings) *Service {
	if s.SyncEvery <= 0 {
		s.SyncEvery = time.Minute
	}
	if s.FaultPollEvery <= 0 {
		s.FaultPollEvery = time.Minute
	}
	return &Service{pool: pool, acs: acs, devices: devices, sync: sync, settings: s}
}

// MaxUnidentified bounds the devices listed as never identified.
const MaxUnidentified = 50

// checkTimeout bounds the GenieACS calls of one report; pingTimeout the
// first, which decides whether the others are made.
const (
	checkTimeout = 10 * time.Second
	pingTimeout  = 3 * time.Second
)

// Report runs every check now (the operator organization's staff).
func (s *Service) Report(ctx context.Context, a actor.Actor, probe KeyProbe) (Report, error) {
	if err := a.RequireOperator(); err != nil {
		return Report{}, err
	}
	r := Report{CheckedAt: time.Now().UTC(), Items: []Item{}, Unidentified: []Unidentified{}}
	idf, err := s.identifyStats(ctx, r.CheckedAt)
	if err != nil {
		return Report{}, err
	}
	r.Identify = idf
	gctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()

	reachable := s.checkNBI(gctx, &r)
	s.checkBreaker(&r)
	s.checkItems(gctx, &r, reachable)
	bootFaults := s.bootstrapFaults(gctx, reachable)
	s.checkKey(ctx, &r, probe, bootFaults)
	s.checkIdentify(&r)
	if err := s.checkSync(ctx, a, &r); err != nil {
		return Report{}, err
	}
	if err := s.checkFaultPoll(ctx, &r); err != nil {
		return Report{}, err
	}
	if err := s.checkUnidentified(ctx, gctx, &r, reachable, bootFaults); err != nil {
		return Report{}, err
	}
	r.OK = true
	for _, c := range r.Checks {
		if c.Status != StatusOK {
			r.OK = false
		}
	}
	return r, nil
}

func (r *Report) add(c Check) { r.Checks = append(r.Checks, c) }

// nbiURL is GENIEACS_NBI_URL without credentials.
func (s *Service) nbiURL() string {
	if s.settings.NBIURL == nil {
		return ""
	}
	u := *s.settings.NBIURL
	u.User = nil
	return u.String()
}

func (s *Service) checkNBI(ctx context.Context, r *Report) bool {
	c := Check{ID: "nbi", Title: "GenieACS NBI reachable"}
	r.NBI.URL = s.nbiURL()
	if s.acs == nil {
		c.Status, c.Found = StatusFail, "GENIEACS_NBI_URL is not set: FyberPay does not call GenieACS."
		c.Fix = "Set GENIEACS_NBI_URL (e.g. http://genieacs:7557), GENIEACS_FS_URL and GENIEACS_INTERNAL_KEY, and restart FyberPay."
		r.add(c)
		return false
	}
	// A GenieACS that takes longer than this for a one-device count is
	// not answering, as far as a person waiting for this page goes.
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	p, err := s.acs.Ping(pctx)
	cancel()
	switch {
	case errors.Is(err, genieacs.ErrCircuitOpen):
		r.NBI.Error = err.Error()
		c.Status = StatusFail
		c.Found = fmt.Sprintf("Not called: FyberPay's circuit breaker is open after GenieACS at %s failed repeatedly.", r.NBI.URL)
		c.Fix = "Check that genieacs-nbi is running and answers at " + r.NBI.URL + " (docker logs genieacs). The breaker lets a trial call through after its open period; reload this page then."
	case errors.Is(err, context.DeadlineExceeded):
		r.NBI.Error = err.Error()
		c.Status = StatusFail
		c.Found = fmt.Sprintf("GenieACS at %s did not answer within %s.", r.NBI.URL, pingTimeout)
		c.Fix = "Check that genieacs-nbi is running and not overloaded (its MongoDB too), and that nothing between this server and " +
			r.NBI.URL + " drops the connection (a firewall answers nothing)."
	case err != nil:
		r.NBI.Error = err.Error()
		c.Status = StatusFail
		c.Found = fmt.Sprintf("GenieACS at %s did not answer: %s.", r.NBI.URL, err)
		c.Fix = "Check that genieacs-nbi is running and listens at " + r.NBI.URL +
			" (docker logs genieacs), that this server can reach it, and that GENIEACS_NBI_URL names the NBI (port 7557 by default), not the UI."
	case p.Version == "":
		r.NBI.Reachable, r.NBI.LatencyMS = true, ms(p.Latency)
		c.Status = StatusWarn
		c.Found = fmt.Sprintf("%s answered in %s, but without a GenieACS-Version header: it may not be the GenieACS NBI.", r.NBI.URL, msText(r.NBI.LatencyMS))
		c.Fix = "Point GENIEACS_NBI_URL at genieacs-nbi (port 7557 by default), not at the UI (3000) or a proxy that drops headers."
	default:
		r.NBI.Reachable, r.NBI.LatencyMS, r.NBI.Version = true, ms(p.Latency), p.Version
		c.Status = StatusOK
		c.Found = fmt.Sprintf("GenieACS %s answered at %s in %s.", p.Version, r.NBI.URL, msText(r.NBI.LatencyMS))
		if p.Latency > time.Second {
			c.Status = StatusWarn
			c.Fix = "GenieACS took over a second for a one-device count: check its MongoDB and load."
		}
	}
	r.add(c)
	return r.NBI.Reachable
}

// fromText is " from <address>" ("" when unknown).
func fromText(addr string) string {
	if addr == "" {
		return ""
	}
	return " from " + addr
}

// count writes "1 call", "3 calls".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// stamp is how the checks write a time: in UTC, as GenieACS's logs do.
const stamp = "2 Jan 15:04:05 UTC"

// msText writes a latency: "0.4 ms", "12 ms".
func msText(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *Service) checkBreaker(r *Report) {
	c := Check{ID: "breaker", Title: "Circuit breaker"}
	if s.acs == nil {
		c.Status, c.Found = StatusSkipped, "GenieACS is not configured."
		r.add(c)
		return
	}
	st := s.acs.BreakerState()
	counts := s.acs.BreakerCounts()
	r.NBI.Breaker = st
	switch st {
	case "closed":
		c.Status = StatusOK
		c.Found = fmt.Sprintf("Closed: calls go through (%d calls, %d failed in the current window).", counts.Requests, counts.TotalFailures)
	case "half-open":
		c.Status = StatusWarn
		c.Found = "Half-open: a few trial calls test whether GenieACS is back."
		c.Fix = "Nothing to do if GenieACS answers again; otherwise see the NBI check."
	default:
		c.Status = StatusFail
		c.Found = "Open: FyberPay stopped calling GenieACS after repeated failures; device actions wait and retry."
		c.Fix = "Bring GenieACS back (see the NBI check); the breaker closes by itself after a successful trial call."
	}
	r.add(c)
}

func (s *Service) checkItems(ctx context.Context, r *Report, reachable bool) {
	provs := Check{ID: "provisions", Title: "FyberPay's provisions and presets in GenieACS"}
	file := Check{ID: "speedtest", Title: "Speed-test file in GenieACS"}
	if !reachable {
		for _, c := range []*Check{&provs, &file} {
			c.Status, c.Found = StatusSkipped, "Not checked: GenieACS did not answer."
		}
		r.add(provs)
		r.add(file)
		return
	}
	items, err := provision.Compare(ctx, s.acs)
	if err != nil {
		provs.Status, provs.Found = StatusFail, "Could not read them: "+err.Error()
		provs.Fix = "See the NBI check; reload this page when GenieACS answers."
		file.Status, file.Found = StatusSkipped, "Not checked: reading GenieACS failed."
		r.add(provs)
		r.add(file)
		return
	}
	r.Items = items
	var bad []string
	same := 0
	for _, it := range items {
		if it.Kind == "file" {
			switch it.State {
			case provision.StateSame:
				file.Status, file.Found = StatusOK, fmt.Sprintf("%s is there (%d MiB): download speed tests fetch it.", it.Name, provision.SpeedTestSize>>20)
			case provision.StateDifferent:
				file.Status, file.Found = StatusFail, it.Name+" is there but not the size FyberPay uploads: speed tests would measure the wrong amount."
			default:
				file.Status, file.Found = StatusFail, it.Name+" is missing: download speed tests fail."
			}
			if file.Status != StatusOK {
				file.Fix = "Run the GenieACS bootstrap (System page, or restart FyberPay): it uploads the file."
			}
			continue
		}
		if it.State == provision.StateSame {
			same++
			continue
		}
		bad = append(bad, it.Kind+" "+it.Name+" is "+it.State)
	}
	if len(bad) == 0 {
		provs.Status = StatusOK
		provs.Found = fmt.Sprintf("All %d are there and the same as FyberPay's (%s and their presets).", same, strings.Join(provisions.Names(), ", "))
	} else {
		provs.Status = StatusFail
		provs.Found = strings.Join(bad, "; ") + "."
		provs.Fix = "Run the GenieACS bootstrap (System page, or restart FyberPay): it uploads what is missing or changed. " +
			"Edits made in GenieACS's own UI to fyberpay-* provisions are overwritten."
	}
	r.add(provs)
	r.add(file)
}

// bootstrapFaults are GenieACS's faults on the bootstrap provision's
// channel, newest first (at most 200; nil when GenieACS did not answer).
func (s *Service) bootstrapFaults(ctx context.Context, reachable bool) []genieacs.Fault {
	if !reachable {
		return nil
	}
	var out []genieacs.Fault
	_, err := s.acs.SearchFaults(ctx, genieacs.Query{Filter: map[string]any{"channel": provisions.Bootstrap},
		Sort: map[string]int{"timestamp": -1}, Limit: 200}, func(f genieacs.Fault) error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil
	}
	return out
}

// wrongKeyFault says whether a fault is the ext script's report of a 401
// from identify.
func wrongKeyFault(f genieacs.Fault) bool {
	return strings.HasPrefix(f.Code, "ext") && strings.Contains(f.Message, "identify answered 401")
}

func (s *Service) checkKey(ctx context.Context, r *Report, probe KeyProbe, bootFaults []genieacs.Fault) {
	c := Check{ID: "key", Title: "Internal key (GenieACS ext script → identify)"}
	if probe != nil {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		status, msg := probe(pctx)
		cancel()
		if status != 200 {
			c.Status = StatusFail
			c.Found = fmt.Sprintf("Identify refused FyberPay's own round trip (HTTP %d: %s).", status, msg)
			c.Fix = "Set GENIEACS_INTERNAL_KEY on this server (at least 24 characters) and the same value as FYBERPAY_INTERNAL_KEY in genieacs-cwmp's environment."
			r.add(c)
			return
		}
	}
	idf := r.Identify
	var lastGenie *time.Time
	n401 := 0
	for _, f := range bootFaults {
		if wrongKeyFault(f) {
			n401++
			if lastGenie == nil || f.Timestamp.After(*lastGenie) {
				t := f.Timestamp
				lastGenie = &t
			}
		}
	}
	after := func(t *time.Time) bool { return t != nil && (idf.LastAnswered == nil || t.After(*idf.LastAnswered)) }
	fix := "GenieACS's ext script sends a different key: set FYBERPAY_INTERNAL_KEY in genieacs-cwmp's environment to this server's GENIEACS_INTERNAL_KEY " +
		"and restart genieacs-cwmp. Devices bootstrap again at their next inform."
	switch {
	case after(idf.LastWrongKey) && idf.WrongKeyLastHour > 0:
		c.Status = StatusFail
		c.Found = fmt.Sprintf("Identify refused %s for a wrong key in the last hour, the last at %s%s, and accepted none since.",
			count(idf.WrongKeyLastHour, "call"), idf.LastWrongKey.UTC().Format(stamp), fromText(idf.LastWrongKeyFrom))
		c.Fix = fix + " If that address is not genieacs-cwmp's, something else calls identify: block it."
	case after(lastGenie):
		c.Status = StatusFail
		c.Found = fmt.Sprintf("GenieACS holds %s saying identify answered 401, the last at %s, and identify accepted no call since.",
			count(int64(n401), "bootstrap fault"), lastGenie.UTC().Format(stamp))
		c.Fix = fix
	case idf.WrongKeyLastHour > 0:
		c.Status = StatusWarn
		c.Found = fmt.Sprintf("Identify refused %s for a wrong key in the last hour (the last%s), but accepted calls since (the last at %s%s).",
			count(idf.WrongKeyLastHour, "call"), fromText(idf.LastWrongKeyFrom), idf.LastAnswered.UTC().Format(stamp), fromText(idf.LastAnsweredFrom))
		c.Fix = "If the key was just fixed, nothing to do. Otherwise another GenieACS (or an old ext config) still calls with a wrong key."
	default:
		c.Status = StatusOK
		c.Found = "Identify takes FyberPay's key (a round trip with a marker serial, never stored), and refused no call for a wrong key in the last hour."
	}
	r.add(c)
}

func (s *Service) checkIdentify(r *Report) {
	c := Check{ID: "identify", Title: "Identify callback"}
	idf := r.Identify
	switch {
	case idf.LastAnswered == nil && r.NBI.Reachable:
		c.Status = StatusWarn
		c.Found = "Identify has not answered GenieACS in the last week."
		c.Fix = "Normal on an installation without devices yet. Otherwise check the ext script is in GENIEACS_EXT_DIR with FYBERPAY_URL pointing at this server, " +
			"and the bootstrap faults listed below."
	case idf.LastAnswered == nil:
		c.Status, c.Found = StatusWarn, "Identify has not answered GenieACS in the last week."
	default:
		c.Status = StatusOK
		c.Found = fmt.Sprintf("Identify last answered at %s; %s answered in the last hour (%d refused for bad input).",
			idf.LastAnswered.UTC().Format(stamp), count(idf.AnsweredLastHour, "call"), idf.RefusedLastHour)
	}
	r.add(c)
}

func (s *Service) identifyStats(ctx context.Context, now time.Time) (Identify, error) {
	idf := Identify{PerMinute: make([]MinuteCalls, 60)}
	start := now.Truncate(time.Minute).Add(-59 * time.Minute)
	for i := range idf.PerMinute {
		idf.PerMinute[i].Minute = start.Add(time.Duration(i) * time.Minute)
	}
	// One statement, one snapshot: the last hour's minutes and, per
	// outcome, the last call before them (a tally written meanwhile shows
	// in both or in neither).
	q, err := s.pool.Query(ctx, `SELECT minute, outcome, calls, last_at, last_from FROM identify_calls WHERE minute >= $1
		UNION ALL
		(SELECT DISTINCT ON (outcome) NULL::timestamptz, outcome, 0::bigint, last_at, last_from FROM identify_calls WHERE minute < $1
			ORDER BY outcome, last_at DESC)`, start)
	if err != nil {
		return idf, fmt.Errorf("identify calls: %w", err)
	}
	rows, err := pgx.CollectRows(q, pgx.RowToStructByName[struct {
		Minute   *time.Time `db:"minute"`
		Outcome  string     `db:"outcome"`
		Calls    int64      `db:"calls"`
		LastAt   time.Time  `db:"last_at"`
		LastFrom string     `db:"last_from"`
	}])
	if err != nil {
		return idf, fmt.Errorf("identify calls: %w", err)
	}
	answered := map[string]bool{}
	for _, o := range cpe.AnsweredOutcomes() {
		answered[o] = true
	}
	latest := func(cur **time.Time, from *string, t time.Time, addr string) {
		if *cur == nil || t.After(**cur) {
			*cur, *from = &t, addr
		}
	}
	for _, row := range rows {
		switch {
		case answered[row.Outcome]:
			latest(&idf.LastAnswered, &idf.LastAnsweredFrom, row.LastAt, row.LastFrom)
		case row.Outcome == cpe.OutcomeWrongKey:
			latest(&idf.LastWrongKey, &idf.LastWrongKeyFrom, row.LastAt, row.LastFrom)
		}
		if row.Minute == nil {
			continue
		}
		i := int(row.Minute.Sub(start) / time.Minute)
		if i < 0 || i >= 60 {
			continue
		}
		m := &idf.PerMinute[i]
		switch {
		case answered[row.Outcome]:
			m.Answered += row.Calls
			idf.AnsweredLastHour += row.Calls
		case row.Outcome == cpe.OutcomeWrongKey:
			m.WrongKey += row.Calls
			idf.WrongKeyLastHour += row.Calls
		case row.Outcome == cpe.OutcomeRefused:
			m.Refused += row.Calls
			idf.RefusedLastHour += row.Calls
		}
	}
	return idf, nil
}

func (s *Service) checkSync(ctx context.Context, a actor.Actor, r *Report) error {
	c := Check{ID: "sync", Title: "Device sync"}
	runs, err := s.sync.Runs(ctx, a, 1)
	if err != nil {
		return fmt.Errorf("sync runs: %w", err)
	}
	late := 3*s.settings.SyncEvery + time.Minute
	switch {
	case len(runs) == 0:
		c.Status, c.Found = StatusFail, "No sync pass has run yet."
		c.Fix = "Check that a worker process runs (`fyberpay serve`, or `fyberpay work` beside web-only replicas) and that GenieACS is configured."
	default:
		run := runs[0]
		at := run.StartedAt
		if run.FinishedAt != nil {
			at = *run.FinishedAt
		}
		age := r.CheckedAt.Sub(at)
		switch {
		case run.Status == "failed":
			c.Status = StatusFail
			c.Found = fmt.Sprintf("The last pass (%s, %s) failed: %s", run.Kind, at.UTC().Format(stamp), run.Error)
			c.Fix = "See the NBI check; the next pass retries. Details on the Sync page."
		case age > late && run.Status != "running":
			c.Status = StatusWarn
			c.Found = fmt.Sprintf("The last pass ended at %s, %s ago: passes run every %s.", at.UTC().Format(stamp), age.Round(time.Second), s.settings.SyncEvery)
			c.Fix = "Check that a worker process runs (River's job page: /admin/jobs) and is not stuck."
		case run.Status == "running":
			c.Status = StatusOK
			c.Found = fmt.Sprintf("A %s pass is running since %s.", run.Kind, run.StartedAt.UTC().Format(stamp))
		default:
			c.Status = StatusOK
			c.Found = fmt.Sprintf("The last pass (%s) %s at %s: %d devices read, %d changed, %d skipped.", run.Kind, run.Status,
				at.UTC().Format(stamp), run.Seen, run.Updated+run.Created, run.Skipped)
		}
	}
	r.add(c)
	return nil
}

func (s *Service) checkFaultPoll(ctx context.Context, r *Report) error {
	c := Check{ID: "faultpoll", Title: "Fault poll"}
	run, ok, err := fault.LastPoll(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("last fault poll: %w", err)
	}
	late := 3*s.settings.FaultPollEvery + time.Minute
	switch {
	case !ok:
		c.Status, c.Found = StatusFail, "No fault poll has run yet."
		c.Fix = "Check that a worker process runs and that GenieACS is configured."
	case !run.OK:
		c.Status = StatusFail
		c.Found = fmt.Sprintf("The last poll (%s) failed: %s", run.FinishedAt.UTC().Format(stamp), run.Error)
		c.Fix = "See the NBI check; the next poll retries."
	case r.CheckedAt.Sub(run.FinishedAt) > late:
		c.Status = StatusWarn
		c.Found = fmt.Sprintf("The last poll ended at %s: polls run every %s.", run.FinishedAt.UTC().Format(stamp), s.settings.FaultPollEvery)
		c.Fix = "Check that a worker process runs (River's job page: /admin/jobs) and is not stuck."
	default:
		c.Status = StatusOK
		c.Found = fmt.Sprintf("The last poll ended at %s: %d faults in GenieACS, %d new, %d resolved.", run.FinishedAt.UTC().Format(stamp),
			run.Seen, run.Raised, run.Resolved)
	}
	r.add(c)
	return nil
}

// settle is how long a device the sync found may take to reach identify
// (its first session) before it counts as never identified.
const settle = 2 * time.Minute

// checkUnidentified reads the database with ctx and GenieACS with nbi
// (the report's NBI budget: spent, it costs the listing's details, not the
// report).
func (s *Service) checkUnidentified(ctx, nbi context.Context, r *Report, reachable bool, bootFaults []genieacs.Fault) error {
	c := Check{ID: "unidentified", Title: "Devices that never reached identify"}
	if !reachable {
		c.Status, c.Found = StatusSkipped, "Not checked: GenieACS did not answer."
		r.add(c)
		return nil
	}
	// Candidates: devices with a fault on the bootstrap channel (GenieACS's
	// word), and devices the sync found in GenieACS (pending rows with a
	// GenieACS id) that identify never noted, newest first. No scan of
	// GenieACS's devices: only _id is indexed there, and a national fleet's
	// documents are tens of gigabytes.
	type cand struct{ dev *genieacs.Device }
	byID := map[string]*cand{}
	var order []string
	add := func(id string) {
		if byID[id] == nil {
			byID[id] = &cand{}
			order = append(order, id)
		}
	}
	for _, f := range bootFaults {
		add(f.Device)
	}
	q, err := s.pool.Query(ctx, `SELECT d.genieacs_id FROM cpe_devices d
		WHERE d.org_id IS NULL AND d.genieacs_id IS NOT NULL AND d.genieacs_deleted_at IS NULL AND d.created_at < $1
			AND NOT EXISTS (SELECT 1 FROM cpe_contacts c WHERE c.device_id = d.id)
		ORDER BY d.created_at DESC LIMIT 500`, r.CheckedAt.Add(-settle))
	if err != nil {
		return fmt.Errorf("unidentified devices: %w", err)
	}
	synced, err := pgx.CollectRows(q, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("unidentified devices: %w", err)
	}
	for _, id := range synced {
		add(id)
	}
	known := map[string]bool{}
	if len(order) > 0 {
		// Reached identify: identify noted its contact (the sync also
		// records devices, as pending, without identify).
		q, err := s.pool.Query(ctx, `SELECT d.genieacs_id FROM cpe_devices d JOIN cpe_contacts c ON c.device_id = d.id
			WHERE d.genieacs_id = ANY($1)`, order)
		if err != nil {
			return fmt.Errorf("known devices: %w", err)
		}
		ids, err := pgx.CollectRows(q, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("known devices: %w", err)
		}
		for _, id := range ids {
			known[id] = true
		}
	}
	var missing []string
	for _, id := range order {
		if !known[id] {
			missing = append(missing, id)
		}
	}
	// The listed ones' documents and faults, two calls in all.
	shown := missing[:min(len(missing), MaxUnidentified)]
	var lookup []string
	for _, id := range shown {
		if byID[id].dev == nil {
			lookup = append(lookup, id)
		}
	}
	if len(lookup) > 0 {
		_, _ = s.acs.SearchDevices(nbi, genieacs.Query{Filter: map[string]any{"_id": map[string]any{"$in": lookup}},
			Projection: []string{"_id", "_registered", "_lastInform"}}, func(d *genieacs.Device) error {
			if cd := byID[d.ID]; cd != nil {
				cd.dev = d
			}
			return nil
		})
	}
	faultsOf := map[string][]FaultSeen{}
	if len(shown) > 0 {
		_, _ = s.acs.SearchFaults(nbi, genieacs.Query{Filter: map[string]any{"device": map[string]any{"$in": shown}},
			Sort: map[string]int{"timestamp": -1}, Limit: 500}, func(f genieacs.Fault) error {
			faultsOf[f.Device] = append(faultsOf[f.Device], seen(f, f.Device))
			return nil
		})
	}
	for _, id := range shown {
		u := Unidentified{Device: MaskDeviceID(id), Faults: []FaultSeen{}}
		u.OUI, u.ProductClass, _ = splitDeviceID(id)
		if d := byID[id].dev; d != nil {
			u.Registered, u.LastInform = timePtr(d.Registered), timePtr(d.LastInform)
		}
		if fs := faultsOf[id]; fs != nil {
			u.Faults = fs
		}
		r.Unidentified = append(r.Unidentified, u)
	}
	switch n := len(missing); {
	case n == 0:
		c.Status = StatusOK
		c.Found = "Every device the sync found in GenieACS, and every device with a bootstrap fault there, reached identify."
	default:
		c.Status = StatusFail
		more := ""
		if n > len(r.Unidentified) {
			more = fmt.Sprintf(" (the newest %d listed)", len(r.Unidentified))
		}
		atLeast := ""
		if len(synced) == 500 || len(bootFaults) == 200 {
			atLeast = "At least " // only the newest were looked at
		}
		c.Found = fmt.Sprintf("%s%s contacted GenieACS but never reached identify%s: their bootstrap failed or never ran.",
			atLeast, count(int64(n), "device"), more)
		c.Fix = "Read their GenieACS faults below: ext faults point at the ext script (FYBERPAY_URL, the key), script faults at the provision; " +
			"no fault at all means the fyberpay-bootstrap preset did not run (see the provisions check)."
	}
	r.add(c)
	return nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// seen is a fault as shown: its message without the device's id (which
// carries its serial).
func seen(f genieacs.Fault, deviceID string) FaultSeen {
	msg := f.Message
	if deviceID != "" {
		msg = strings.ReplaceAll(msg, deviceID, MaskDeviceID(deviceID))
		if _, _, serial := splitDeviceID(deviceID); len(serial) >= 4 {
			msg = strings.ReplaceAll(msg, serial, maskSerial(serial))
		}
	}
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return FaultSeen{Channel: f.Channel, Code: f.Code, Message: msg, Retries: f.Retries, Timestamp: f.Timestamp}
}

// splitDeviceID splits GenieACS's "<OUI>-<ProductClass>-<Serial>" (the
// product class may be absent: "<OUI>-<Serial>"). Parts are URL-escaped
// as GenieACS stores them.
func splitDeviceID(id string) (oui, productClass, serial string) {
	parts := strings.Split(id, "-")
	switch len(parts) {
	case 0, 1:
		return "", "", id
	case 2:
		return unescape(parts[0]), "", unescape(parts[1])
	}
	return unescape(parts[0]), unescape(strings.Join(parts[1:len(parts)-1], "-")), unescape(parts[len(parts)-1])
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// MaskDeviceID shows a GenieACS device id with all but the last four
// characters of its serial masked ("202BC1-BM632w-••••1234").
func MaskDeviceID(id string) string {
	i := strings.LastIndex(id, "-")
	if i < 0 {
		return maskSerial(id)
	}
	return id[:i+1] + maskSerial(id[i+1:])
}

func maskSerial(s string) string {
	if len(s) <= 4 {
		return "••••"
	}
	return "••••" + s[len(s)-4:]
}
