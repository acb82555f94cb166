package cpe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// InventoryInput registers one device before (or after) its first contact.
type InventoryInput struct {
	Serial     string `json:"serial"`
	Model      string `json:"model"`      // product class, optional
	Subscriber string `json:"subscriber"` // username, optional
	PONPort    string `json:"ponPort"`    // the OLT port, optional
}

// ImportRow is one CSV line as validated.
type ImportRow struct {
	Line       int    `json:"line"`
	Serial     string `json:"serial"`
	Model      string `json:"model,omitempty"`
	Subscriber string `json:"subscriber,omitempty"`
	PONPort    string `json:"ponPort,omitempty"`
	Norm       string `json:"normalized,omitempty"`
	Action     string `json:"action,omitempty"` // add, claim
	Error      string `json:"error,omitempty"`
}

// ImportPreview is a parsed file awaiting commit.
type ImportPreview struct {
	ID          uuid.UUID   `json:"id" db:"id"`
	Filename    string      `json:"filename" db:"filename"`
	Rows        []ImportRow `json:"rows" db:"-"` // stored as JSON: importRow.Body
	Valid       int         `json:"valid" db:"valid"`
	Invalid     int         `json:"invalid" db:"invalid"`
	CreatedAt   time.Time   `json:"createdAt" db:"created_at"`
	CommittedAt *time.Time  `json:"committedAt,omitempty" db:"committed_at"`
}

// importColumns are read into an importRow by name.
const importColumns = `id, filename, rows, valid, invalid, created_at, committed_at`

// importRow is an ImportPreview as read, its rows still JSON.
type importRow struct {
	ImportPreview
	Body []byte `db:"rows"`
}

// ImportResult says what a commit did.
type ImportResult struct {
	Added    int `json:"added"`
	Claimed  int `json:"claimed"`
	Assigned int `json:"assigned"`
}

// Limits of a CSV import.
const (
	MaxImportBytes = 5 << 20
	MaxImportRows  = 20000
)

var (
	serialRE  = regexp.MustCompile(`^[A-Za-z0-9._:-]{4,64}$`)
	modelRE   = regexp.MustCompile(`^[\x20-\x7e]{0,64}$`)
	csvColumn = map[string]string{"serial": "serial", "serialnumber": "serial", "serial_number": "serial",
		"model": "model", "productclass": "model", "product_class": "model",
		"subscriber": "subscriber", "username": "subscriber", "subscriber_username": "subscriber",
		"pon_port": "pon_port", "ponport": "pon_port", "pon": "pon_port", "olt_port": "pon_port"}
)

// ErrImportFile is a CSV file that cannot be read as an inventory.
type ErrImportFile struct{ Reason string }

func (e *ErrImportFile) Error() string { return "CSV file: " + e.Reason }

// parseCSV reads an inventory CSV: a header naming the columns (serial,
// optional model, subscriber and pon_port), then one device per line.
func parseCSV(r io.Reader) ([]ImportRow, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, &ErrImportFile{"could not be read: " + err.Error()}
	}
	if len(raw) > MaxImportBytes {
		return nil, &ErrImportFile{fmt.Sprintf("is larger than %d MB", MaxImportBytes>>20)}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // Excel's BOM
	if !utf8.Valid(raw) {
		return nil, &ErrImportFile{"is not UTF-8 text (save it as CSV UTF-8)"}
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, &ErrImportFile{"contains binary data; upload a CSV text file"}
	}
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ErrImportFile{"is empty; the first line must name the columns: serial, model, subscriber"}
	} else if err != nil {
		return nil, &ErrImportFile{csvProblem(err)}
	}
	cols := map[string]int{}
	for i, h := range header {
		name, ok := csvColumn[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			return nil, &ErrImportFile{fmt.Sprintf("has an unknown column %q; use serial, model, subscriber and pon_port", validation.Storable(h, 40))}
		}
		if _, dup := cols[name]; dup {
			return nil, &ErrImportFile{fmt.Sprintf("names the column %q twice", name)}
		}
		cols[name] = i
	}
	if _, ok := cols["serial"]; !ok {
		return nil, &ErrImportFile{"has no serial column; the first line must name the columns: serial, model, subscriber"}
	}
	field := func(rec []string, name string) string {
		i, ok := cols[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ErrImportFile{csvProblem(err)}
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rows) == MaxImportRows {
			return nil, &ErrImportFile{fmt.Sprintf("has more than %d devices; split it", MaxImportRows)}
		}
		rows = append(rows, ImportRow{Line: line, Serial: field(rec, "serial"), Model: field(rec, "model"), Subscriber: field(rec, "subscriber"), PONPort: field(rec, "pon_port")})
	}
	if len(rows) == 0 {
		return nil, &ErrImportFile{"has a header but no devices"}
	}
	return rows, nil
}

// validateRows checks rows against each other and the database, setting
// each row's Norm, Action and Error. It returns the subscriber ids by
// username for the valid rows.
func validateRows(ctx context.Context, exec db.Executor, orgID uuid.UUID, rows []ImportRow, lock bool) (map[string]uuid.UUID, error) {
	seen := map[string]int{}
	var norms, usernames []string
	for i := range rows {
		r := &rows[i]
		r.Error, r.Action = "", ""
		switch {
		case r.Serial == "":
			r.Error = "serial is empty"
		case !serialRE.MatchString(r.Serial):
			r.Error = "serial must be 4-64 letters, digits, '.', '_', ':' or '-'"
		case !modelRE.MatchString(r.Model):
			r.Error = "model must be at most 64 printable characters"
		case len(r.Subscriber) > 64:
			r.Error = "subscriber username is too long"
		case !modelRE.MatchString(r.PONPort):
			r.Error = "PON port must be at most 64 printable characters"
		}
		if r.Error != "" {
			continue
		}
		r.Norm = NormalizeSerial(r.Serial)
		if first, dup := seen[r.Norm]; dup {
			r.Error = fmt.Sprintf("duplicate of line %d in this file", first)
			continue
		}
		seen[r.Norm] = r.Line
		norms = append(norms, r.Norm)
		if r.Subscriber != "" {
			usernames = append(usernames, r.Subscriber)
		}
	}
	q := `SELECT serial_norm, org_id FROM cpe_devices WHERE serial_norm = ANY($1)`
	if lock {
		q += ` FOR UPDATE`
	}
	rs, err := exec.Query(ctx, q, norms)
	if err != nil {
		return nil, fmt.Errorf("check existing serials: %w", err)
	}
	type owned struct {
		Norm  string     `db:"serial_norm"`
		OrgID *uuid.UUID `db:"org_id"`
	}
	found, err := pgx.CollectRows(rs, pgx.RowToStructByName[owned])
	if err != nil {
		return nil, err
	}
	owners := map[string]*uuid.UUID{}
	for _, o := range found {
		owners[o.Norm] = o.OrgID
	}
	subs := map[string]uuid.UUID{}
	if len(usernames) > 0 {
		rs, err := exec.Query(ctx, `SELECT username, id FROM subscribers WHERE org_id = $1 AND username = ANY($2)`, orgID, usernames)
		if err != nil {
			return nil, fmt.Errorf("check subscribers: %w", err)
		}
		type sub struct {
			Username string    `db:"username"`
			ID       uuid.UUID `db:"id"`
		}
		found, err := pgx.CollectRows(rs, pgx.RowToStructByName[sub])
		if err != nil {
			return nil, err
		}
		for _, u := range found {
			subs[u.Username] = u.ID
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.Error != "" {
			continue
		}
		owner, exists := owners[r.Norm]
		switch {
		case exists && owner != nil && *owner == orgID:
			r.Error = "already in this organization's inventory"
		case exists && owner != nil:
			// Neither which organization nor that one has it: the same
			// words whatever makes a serial unavailable.
			r.Error = ErrSerialUnavailable
		case r.Subscriber != "" && subs[r.Subscriber] == uuid.Nil:
			r.Error = "unknown subscriber " + r.Subscriber
		case exists:
			r.Action = "claim" // pending: it contacted GenieACS already
		default:
			r.Action = "add"
		}
	}
	return subs, nil
}

// AddToInventory registers one device (a pending one is claimed).
func (s *Service) AddToInventory(ctx context.Context, a actor.Actor, in InventoryInput) (Device, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return Device{}, err
	}
	rows := []ImportRow{{Line: 1, Serial: strings.TrimSpace(in.Serial), Model: strings.TrimSpace(in.Model), Subscriber: strings.TrimSpace(in.Subscriber), PONPort: strings.TrimSpace(in.PONPort)}}
	var id uuid.UUID
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		subs, err := validateRows(ctx, tx, a.OrgID, rows, true)
		if err != nil {
			return err
		}
		if e := rows[0].Error; e != "" {
			field := "serial"
			if strings.Contains(e, "subscriber") {
				field = "subscriber"
			} else if strings.Contains(e, "model") {
				field = "model"
			} else if strings.Contains(e, "PON port") {
				field = "ponPort"
			}
			return validation.Errors{field: e}
		}
		ids, _, err := s.applyRows(ctx, tx, a, rows, subs)
		if err != nil {
			return err
		}
		id = ids[0]
		return audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.inventory_add", TargetType: "cpe", TargetID: id.String(),
			Summary: fmt.Sprintf("added %s to the inventory (%s)", rows[0].Norm, rows[0].Action)})
	})
	if err != nil {
		return Device{}, err
	}
	return s.get(ctx, s.pool, a.OrgID, id)
}

// applyRows inserts or claims valid rows, sets subscribers, emits claims
// and queues pushes for devices GenieACS already knows.
func (s *Service) applyRows(ctx context.Context, tx pgx.Tx, a actor.Actor, rows []ImportRow, subs map[string]uuid.UUID) ([]uuid.UUID, ImportResult, error) {
	var res ImportResult
	var addSerials, addNorms, addModels, addPorts []string
	var addSubs []*uuid.UUID
	var claimNorms, claimPorts []string
	var claimSubs []*uuid.UUID
	for _, r := range rows {
		var sub *uuid.UUID
		if id, ok := subs[r.Subscriber]; ok && r.Subscriber != "" {
			sub = &id
			res.Assigned++
		}
		switch r.Action {
		case "add":
			addSerials, addNorms, addModels, addSubs = append(addSerials, r.Serial), append(addNorms, r.Norm), append(addModels, r.Model), append(addSubs, sub)
			addPorts = append(addPorts, r.PONPort)
		case "claim":
			claimNorms, claimSubs, claimPorts = append(claimNorms, r.Norm), append(claimSubs, sub), append(claimPorts, r.PONPort)
		}
	}
	byNorm := map[string]uuid.UUID{}
	if len(addNorms) > 0 {
		rs, err := tx.Query(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, product_class, subscriber_id, source, pon_port)
			SELECT $1, v.serial, v.norm, v.model, v.sub, 'inventory', NULLIF(v.pon, '')
			FROM unnest($2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[]) AS v(serial, norm, model, sub, pon)
			RETURNING serial_norm, id`, a.OrgID, addSerials, addNorms, addModels, addSubs, addPorts)
		if err != nil {
			return nil, res, fmt.Errorf("add devices: %w", db.MapErr(err))
		}
		if err := collectIDs(rs, byNorm); err != nil {
			return nil, res, err
		}
		res.Added = len(addNorms)
	}
	if len(claimNorms) > 0 {
		rs, err := tx.Query(ctx, `UPDATE cpe_devices d SET org_id = $1, subscriber_id = COALESCE(v.sub, d.subscriber_id),
				pon_port = COALESCE(NULLIF(v.pon, ''), d.pon_port), updated_at = now()
			FROM unnest($2::text[], $3::uuid[], $4::text[]) AS v(norm, sub, pon)
			WHERE d.serial_norm = v.norm AND d.org_id IS NULL
			RETURNING d.serial_norm, d.id`, a.OrgID, claimNorms, claimSubs, claimPorts)
		if err != nil {
			return nil, res, fmt.Errorf("claim devices: %w", err)
		}
		n := len(byNorm)
		if err := collectIDs(rs, byNorm); err != nil {
			return nil, res, err
		}
		if len(byNorm)-n != len(claimNorms) {
			return nil, res, ErrAlreadyClaimed
		}
		res.Claimed = len(claimNorms)
		var jobs []river.InsertManyParams
		at := time.Now()
		for _, norm := range claimNorms {
			id := byNorm[norm]
			if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicClaimed, map[string]any{"deviceId": id, "serial": norm}); err != nil {
				return nil, res, err
			}
			jobs = append(jobs, river.InsertManyParams{Args: PushArgs{DeviceID: id, RequestedAt: at}})
		}
		if _, err := tx.Exec(ctx, `UPDATE cpe_devices SET push_state = 'pending', push_error = '', push_task_id = '', push_requested_at = $2
			WHERE serial_norm = ANY($1)`, claimNorms, at); err != nil {
			return nil, res, err
		}
		if _, err := s.jobs.InsertManyTx(ctx, tx, jobs); err != nil {
			return nil, res, fmt.Errorf("queue pushes: %w", err)
		}
	}
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		if id, ok := byNorm[r.Norm]; ok {
			ids = append(ids, id)
		}
	}
	return ids, res, nil
}

// collectIDs reads rows of serial_norm and id into into.
func collectIDs(rs pgx.Rows, into map[string]uuid.UUID) error {
	type normID struct {
		Norm string    `db:"serial_norm"`
		ID   uuid.UUID `db:"id"`
	}
	found, err := pgx.CollectRows(rs, pgx.RowToStructByName[normID])
	if err != nil {
		return err
	}
	for _, r := range found {
		into[r.Norm] = r.ID
	}
	return nil
}

// PreviewImport parses and checks a CSV file and keeps it for CommitImport.
func (s *Service) PreviewImport(ctx context.Context, a actor.Actor, filename string, r io.Reader) (ImportPreview, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return ImportPreview{}, err
	}
	rows, err := parseCSV(r)
	if err != nil {
		return ImportPreview{}, err
	}
	if _, err := validateRows(ctx, s.pool, a.OrgID, rows, false); err != nil {
		return ImportPreview{}, err
	}
	p := ImportPreview{Filename: validation.Storable(filename, 200), Rows: rows}
	for _, r := range rows {
		if r.Error == "" {
			p.Valid++
		} else {
			p.Invalid++
		}
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return ImportPreview{}, err
	}
	var createdBy *uuid.UUID
	if a.Kind == actor.KindUser {
		createdBy = &a.ID
	}
	kept, err := db.One[struct {
		ID        uuid.UUID `db:"id"`
		CreatedAt time.Time `db:"created_at"`
	}](ctx, s.pool, `INSERT INTO cpe_imports (org_id, created_by, filename, rows, valid, invalid)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`, a.OrgID, createdBy, p.Filename, body, p.Valid, p.Invalid)
	if err != nil {
		return ImportPreview{}, fmt.Errorf("keep import preview: %w", err)
	}
	p.ID, p.CreatedAt = kept.ID, kept.CreatedAt
	return p, nil
}

// GetImport returns a preview of the actor's organization.
func (s *Service) GetImport(ctx context.Context, a actor.Actor, id uuid.UUID) (ImportPreview, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return ImportPreview{}, err
	}
	r, err := db.One[importRow](ctx, s.pool, `SELECT `+importColumns+` FROM cpe_imports WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	if err != nil {
		return ImportPreview{}, db.MapErr(err)
	}
	p := r.ImportPreview
	return p, json.Unmarshal(r.Body, &p.Rows)
}

// ErrImportHasErrors refuses to commit a preview with invalid rows: an
// import is all or nothing.
var ErrImportHasErrors = errors.New("some rows have errors; fix the file and upload it again (nothing was imported)")

// CommitImport imports every row of a preview, or none: rows are checked
// again under lock, and any error aborts the whole import.
func (s *Service) CommitImport(ctx context.Context, a actor.Actor, id uuid.UUID) (ImportResult, error) {
	if err := a.Require(actor.PermClaimDevice); err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		imp, err := db.One[importRow](ctx, tx, `SELECT `+importColumns+` FROM cpe_imports WHERE org_id = $1 AND id = $2 FOR UPDATE`, a.OrgID, id)
		if err != nil {
			return db.MapErr(err)
		}
		if imp.CommittedAt != nil {
			return validation.Errors{"file": "this import was already committed"}
		}
		var rows []ImportRow
		if err := json.Unmarshal(imp.Body, &rows); err != nil {
			return err
		}
		subs, err := validateRows(ctx, tx, a.OrgID, rows, true)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Error != "" {
				return ErrImportHasErrors
			}
		}
		if _, res, err = s.applyRows(ctx, tx, a, rows, subs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cpe_imports SET committed_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.import", TargetType: "import", TargetID: id.String(),
			Summary: fmt.Sprintf("imported %d devices from %s (%d new, %d claimed, %d with a subscriber)",
				res.Added+res.Claimed, imp.Filename, res.Added, res.Claimed, res.Assigned)})
	})
	return res, err
}

// csvProblem says in plain words why a file is not valid CSV, and where.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return "is not valid CSV: " + err.Error()
	}
	why := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		why = `has a quoted value that is never closed (a " without its closing ")`
	case errors.Is(pe.Err, csv.ErrBareQuote):
		why = `has a " inside a value that is not quoted (quote the whole value and double the inner ", like "a ""b"" c")`
	}
	return fmt.Sprintf("is not valid CSV: line %d %s", pe.Line, why)
}
