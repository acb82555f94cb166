package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// PollResult counts what one poll did.
type PollResult struct {
	Seen     int `json:"seen"`     // fault documents read (malformed included)
	Raised   int `json:"raised"`   // new, or back after being resolved
	Updated  int `json:"updated"`  // still active, refreshed
	Resolved int `json:"resolved"` // no longer in GenieACS
	Skipped  int `json:"skipped"`  // malformed documents
	// Skips names the first few malformed documents and why.
	Skips []Skip `json:"skips,omitempty"`
}

// Skip is one malformed fault document.
type Skip struct {
	ID     string `json:"id"` // its _id when it has a string one
	Reason string `json:"reason"`
}

// maxSkips bounds PollResult.Skips.
const maxSkips = 20

// Limits on what is stored of one fault.
const (
	maxMessage = 2000
	maxDetail  = 64 << 10
)

// polled is one well-formed fault, ready to store.
type polled struct {
	id, device, channel, code, message string
	serial, productClass               string
	detail                             []byte // nil: none
	retries                            int
	raised                             time.Time
}

// Poll reads every fault from GenieACS and reconciles cpe_faults with them
// in one transaction (see the package doc). How it went is kept for the
// Integration page (LastPoll).
func (s *Service) Poll(ctx context.Context) (PollResult, error) {
	if s.acs == nil {
		return PollResult{}, ErrNoGenieACS
	}
	started := time.Now()
	res, err := s.poll(ctx, started)
	run := PollRun{StartedAt: started.UTC(), FinishedAt: time.Now().UTC(), OK: err == nil, PollResult: res}
	run.Skips = nil // logged by the worker; not kept
	if err != nil {
		run.Error = err.Error()
	}
	// Best effort: the poll's own work is done or failed either way.
	_ = db.PutState(context.WithoutCancel(ctx), s.pool, pollStateKey, run)
	return res, err
}

// PollRun is how the last poll went: its counts, when, and its error.
type PollRun struct {
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
	PollResult
}

// pollStateKey keeps the last PollRun in system_state.
const pollStateKey = "fault_poll.last"

// LastPoll reads how the last poll went (ok false when none ran yet).
func LastPoll(ctx context.Context, pool *pgxpool.Pool) (PollRun, bool, error) {
	return db.GetState[PollRun](ctx, pool, pollStateKey)
}

func (s *Service) poll(ctx context.Context, started time.Time) (PollResult, error) {
	var res PollResult
	byID := map[string]int{}
	var (
		faults []polled
		// malformed documents whose _id is known: their rows stay as they are.
		keep = []string{} // never nil: NULL would make "<> ALL" resolve nothing
	)
	skip := func(id, reason string) {
		res.Skipped++
		if id != "" && validation.Unstorable(id) == "" { // no stored row has an id text refuses
			keep = append(keep, id)
		}
		if len(res.Skips) < maxSkips {
			res.Skips = append(res.Skips, Skip{ID: id[:min(len(id), 200)], Reason: reason}) // logged %q, never stored
		}
	}
	err := s.acs.EachFault(ctx, nil, func(f genieacs.Fault, raw json.RawMessage, derr error) error {
		res.Seen++
		if derr != nil {
			skip(rawID(raw), derr.Error())
			return nil
		}
		p, reason := check(f)
		if reason != "" {
			skip(f.ID, reason)
			return nil
		}
		if i, dup := byID[p.id]; dup { // MongoDB ids are unique; be safe anyway
			faults[i] = p
			return nil
		}
		byID[p.id] = len(faults)
		faults = append(faults, p)
		return nil
	})
	if err != nil {
		return PollResult{}, fmt.Errorf("read GenieACS faults: %w", err)
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.reconcile(ctx, tx, faults, keep, started)
		res.Raised, res.Updated, res.Resolved = r.Raised, r.Updated, r.Resolved
		return err
	})
	if err != nil {
		return PollResult{}, err
	}
	return res, nil
}

// rawID is the string _id of an undecodable document, if it has one.
func rawID(raw json.RawMessage) string {
	var d struct {
		ID any `json:"_id"`
	}
	if json.Unmarshal(raw, &d) != nil {
		return ""
	}
	id, _ := d.ID.(string)
	return id
}

// check validates a decoded fault and shapes it for storage; a non-empty
// reason means it is skipped.
func check(f genieacs.Fault) (polled, string) {
	switch {
	case f.ID == "":
		return polled{}, "no _id"
	case f.Device == "":
		return polled{}, "no device"
	case !strings.HasPrefix(f.ID, f.Device+":") || len(f.ID) == len(f.Device)+1:
		return polled{}, "_id is not <device>:<channel>"
	case f.Code == "":
		return polled{}, "no code"
	}
	// Identifying fields are stored as they are or not at all.
	for _, field := range []struct{ name, v string }{{"_id", f.ID}, {"device", f.Device}, {"channel", f.Channel}, {"code", f.Code}} {
		if why := validation.Unstorable(field.v); why != "" {
			return polled{}, why + " in " + field.name
		}
		if len(field.v) > 1000 {
			return polled{}, field.name + " is too long"
		}
	}
	p := polled{id: f.ID, device: f.Device, channel: f.Channel, code: f.Code, message: text(f.Message, maxMessage),
		retries: max(f.Retries, 0), raised: f.Timestamp, detail: detailOf(f.Detail)}
	if p.channel == "" {
		p.channel = f.ID[len(f.Device)+1:]
	}
	if p.raised.IsZero() {
		p.raised = time.Now()
	}
	p.productClass, p.serial = fromDeviceID(f.Device)
	return p, ""
}

// detailOf is a fault's detail as jsonb takes it, or nil: none, too large
// to be worth keeping, or holding a NUL (jsonb refuses \u0000). Most are
// kept as GenieACS wrote them; one with escapes or bytes jsonb may refuse (a
// lone surrogate "\ud800" as JSON.stringify writes it, invalid UTF-8) is
// decoded and written again, which makes both U+FFFD.
func detailOf(raw json.RawMessage) []byte {
	d := bytes.TrimSpace(raw)
	if len(d) == 0 || bytes.Equal(d, []byte("null")) || len(d) > maxDetail {
		return nil
	}
	if utf8.Valid(d) && !bytes.Contains(d, []byte(`\u`)) {
		return d
	}
	dec := json.NewDecoder(bytes.NewReader(d))
	dec.UseNumber() // numbers as written
	var v any
	if dec.Decode(&v) != nil || hasNUL(v) {
		return nil
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return bytes.TrimSpace(out.Bytes())
}

// hasNUL reports whether a decoded JSON value holds a NUL in a string or a
// key.
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// text makes s storable: valid UTF-8, no NUL, at most n bytes.
func text(s string, n int) string {
	return validation.Storable(strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD"), n)
}

// fromDeviceID reads the product class and serial out of a GenieACS device
// id ("<OUI>-<ProductClass>-<Serial>" or "<OUI>-<Serial>", %XX-escaped), for
// faults of devices we do not know.
func fromDeviceID(id string) (productClass, serial string) {
	parts := strings.Split(id, "-")
	unescape := func(s string) string {
		if v, err := url.PathUnescape(s); err == nil && utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
			return v
		}
		return s
	}
	switch len(parts) {
	case 3:
		return unescape(parts[1]), cpe.NormalizeSerial(unescape(parts[2]))
	case 2:
		return "", cpe.NormalizeSerial(unescape(parts[1]))
	}
	return "", ""
}

// reconcile writes one pass on tx: upsert what GenieACS holds (matched to
// devices in the same statement), events for what became active, and
// resolve what is gone.
func (s *Service) reconcile(ctx context.Context, tx pgx.Tx, faults []polled, keep []string, started time.Time) (PollResult, error) {
	var res PollResult
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE fault_poll (
		genieacs_id text NOT NULL, genieacs_device_id text NOT NULL, serial text NOT NULL, product_class text NOT NULL,
		channel text NOT NULL, code text NOT NULL, message text NOT NULL, detail jsonb, retries integer NOT NULL,
		raised_at timestamptz NOT NULL) ON COMMIT DROP`); err != nil {
		return res, fmt.Errorf("fault poll table: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"fault_poll"},
		[]string{"genieacs_id", "genieacs_device_id", "serial", "product_class", "channel", "code", "message", "detail", "retries", "raised_at"},
		pgx.CopyFromSlice(len(faults), func(i int) ([]any, error) {
			f := faults[i]
			var detail any
			if f.detail != nil {
				detail = json.RawMessage(f.detail)
			}
			return []any{f.id, f.device, f.serial, f.productClass, f.channel, f.code, f.message, detail, f.retries, f.raised}, nil
		})); err != nil {
		return res, fmt.Errorf("copy faults: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE fault_poll`); err != nil {
		return res, fmt.Errorf("analyze faults: %w", err)
	}
	// Every CTE sees the table as it was before the statement: old is the
	// state the upsert changes (no FOR UPDATE there: a row the upsert has
	// already changed would be skipped). A row cleared after this pass
	// listed GenieACS (resolved_at >= started) is not revived.
	rows, err := tx.Query(ctx, `WITH old AS (
			SELECT f.genieacs_id, f.status FROM cpe_faults f JOIN fault_poll p USING (genieacs_id)
		), up AS (
			INSERT INTO cpe_faults AS f (genieacs_id, org_id, device_id, genieacs_device_id, serial, product_class, channel, code,
				message, detail, retries, status, raised_at, first_seen_at, last_seen_at)
			SELECT p.genieacs_id, d.org_id, d.id, p.genieacs_device_id, COALESCE(d.serial_norm, p.serial),
				COALESCE(NULLIF(d.product_class, ''), p.product_class), p.channel, p.code, p.message, p.detail, p.retries,
				'active', p.raised_at, now(), now()
			FROM fault_poll p LEFT JOIN cpe_devices d ON d.genieacs_id = p.genieacs_device_id
			ON CONFLICT (genieacs_id) DO UPDATE SET
				org_id = EXCLUDED.org_id, device_id = EXCLUDED.device_id, serial = EXCLUDED.serial,
				product_class = EXCLUDED.product_class, channel = EXCLUDED.channel, code = EXCLUDED.code,
				message = EXCLUDED.message, detail = EXCLUDED.detail, retries = EXCLUDED.retries, last_seen_at = now(),
				raised_at = CASE WHEN f.status = 'resolved' OR (f.status = 'cleared' AND f.resolved_at < $1) THEN EXCLUDED.raised_at ELSE f.raised_at END,
				status = CASE WHEN f.status = 'cleared' AND f.resolved_at >= $1 THEN 'cleared' ELSE 'active' END,
				resolved_at = CASE WHEN f.status = 'cleared' AND f.resolved_at >= $1 THEN f.resolved_at ELSE NULL END,
				cleared_by = CASE WHEN f.status = 'cleared' AND f.resolved_at >= $1 THEN f.cleared_by ELSE '' END
			RETURNING f.id, f.genieacs_id, f.org_id, f.device_id, f.serial, f.product_class, f.channel, f.code, f.message,
				f.retries, f.status, f.raised_at
		)
		SELECT up.*, COALESCE(old.status, '') AS was FROM up LEFT JOIN old USING (genieacs_id)`, started)
	if err != nil {
		return res, fmt.Errorf("upsert faults: %w", err)
	}
	upserted, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		raisedEvent
		OrgID  *uuid.UUID `db:"org_id"`
		Status string     `db:"status"` // now
		Was    string     `db:"was"`    // before the upsert ("" when new)
	}])
	if err != nil {
		return res, fmt.Errorf("upsert faults: %w", err)
	}
	var events []outbox.Pending
	for _, u := range upserted {
		switch {
		case u.Status != StatusActive:
			// cleared during this pass: left alone
		case u.Was == StatusActive:
			res.Updated++
		default: // new, resolved, or cleared before this pass
			res.Raised++
			if u.OrgID != nil {
				events = append(events, outbox.Pending{OrgID: *u.OrgID, Topic: outbox.TopicFaultRaised, Payload: u.raisedEvent})
			}
		}
	}
	if err := outbox.WriteMany(ctx, tx, s.jobs, events); err != nil {
		return res, err
	}
	rows, err = tx.Query(ctx, `UPDATE cpe_faults f SET status = 'resolved', resolved_at = now()
		WHERE f.status = 'active' AND f.genieacs_id <> ALL ($1::text[])
			AND NOT EXISTS (SELECT 1 FROM fault_poll p WHERE p.genieacs_id = f.genieacs_id)
		RETURNING org_id, `+columns, keep)
	if err != nil {
		return res, fmt.Errorf("resolve faults: %w", err)
	}
	resolved, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		OrgID *uuid.UUID `db:"org_id"`
		Fault
	}])
	if err != nil {
		return res, fmt.Errorf("resolve faults: %w", err)
	}
	var ended []outbox.Pending
	for _, r := range resolved {
		res.Resolved++
		if r.OrgID != nil {
			ended = append(ended, outbox.Pending{OrgID: *r.OrgID, Topic: outbox.TopicFaultEnded, Payload: endedOf(r.Fault)})
		}
	}
	if err := outbox.WriteMany(ctx, tx, s.jobs, ended); err != nil {
		return res, err
	}
	return res, nil
}

// endedEvent is the fault.resolved payload: the fault as raised, how it
// ended (resolved: GenieACS no longer holds it; cleared: by staff) and when.
type endedEvent struct {
	raisedEvent
	Status     string     `json:"status"`
	ClearedBy  string     `json:"clearedBy,omitempty"`
	ResolvedAt *time.Time `json:"resolvedAt"`
}

func endedOf(f Fault) endedEvent {
	e := endedEvent{Status: f.Status, ClearedBy: f.ClearedBy,
		raisedEvent: raisedEvent{ID: f.ID, GenieACSID: f.GenieACSID, Serial: f.Serial, ProductClass: f.ProductClass,
			Channel: f.Channel, Code: f.Code, Message: f.Message, Retries: f.Retries, RaisedAt: f.RaisedAt}}
	// The event gets its own copies of what f points to.
	if f.DeviceID != nil {
		d := *f.DeviceID
		e.DeviceID = &d
	}
	if f.ResolvedAt != nil {
		r := *f.ResolvedAt
		e.ResolvedAt = &r
	}
	return e
}

// raisedEvent is the fault.raised payload; its db tags read it from the
// upsert's RETURNING.
type raisedEvent struct {
	ID           uuid.UUID  `json:"id" db:"id"`
	GenieACSID   string     `json:"genieacsId" db:"genieacs_id"`
	DeviceID     *uuid.UUID `json:"deviceId" db:"device_id"`
	Serial       string     `json:"serial" db:"serial"`
	ProductClass string     `json:"productClass" db:"product_class"`
	Channel      string     `json:"channel" db:"channel"`
	Code         string     `json:"code" db:"code"`
	Message      string     `json:"message" db:"message"`
	Retries      int        `json:"retries" db:"retries"`
	RaisedAt     time.Time  `json:"raisedAt" db:"raised_at"`
}
