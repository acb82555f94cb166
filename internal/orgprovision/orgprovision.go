// Package orgprovision is an organization's own GenieACS provision
// scripts (the spec's PUT /cpe/provisions/:name): checked before GenieACS
// sees them (JavaScript syntax, with line and column; size), stored in
// GenieACS as "<slug>-<name>" so two organizations never share or see a
// script, with every saved version kept for history and revert. It owns
// org_provisions and org_provision_versions.
//
// FyberPay's own provisions and presets ("fyberpay-*") are out of reach:
// no organization's name can be stored under them.
package orgprovision

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// MaxScriptBytes bounds a script (64 KiB).
const MaxScriptBytes = 64 << 10

// systemPrefix is the namespace of FyberPay's own provisions and presets.
const systemPrefix = "fyberpay-"

var nameRE = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// Provision is an organization's provision: its current script and
// version.
type Provision struct {
	ID         uuid.UUID `json:"id" db:"id"`
	Name       string    `json:"name" db:"name"`
	StoredName string    `json:"storedName" db:"stored_name"`
	Version    int       `json:"version" db:"version"`
	UpdatedAt  time.Time `json:"updatedAt" db:"updated_at"`
	UpdatedBy  string    `json:"updatedBy" db:"updated_by"`
	Script     string    `json:"script,omitempty" db:"script"`
	Versions   []Version `json:"versions,omitempty" db:"-"`
	Binding    Binding   `json:"binding" db:"-"`
	// Warnings are the current script's probable mistakes (Save and
	// CheckWarnings fill them).
	Warnings []Warning `json:"warnings,omitempty" db:"-"`
	Bound    bool      `json:"-" db:"bound"`
	Events   []string  `json:"-" db:"events"`
	Weight   int       `json:"-" db:"weight"`
	Model    string    `json:"-" db:"model"`
}

func (p *Provision) fill() {
	p.Binding = Binding{Events: p.Events, Weight: p.Weight, Model: p.Model, Enabled: p.Bound}
	if p.Binding.Events == nil {
		p.Binding.Events = []string{}
	}
}

// Version is one saved version.
type Version struct {
	Version   int       `json:"version" db:"version"`
	Author    string    `json:"author" db:"author"`
	Note      string    `json:"note" db:"note"`
	Size      int       `json:"size" db:"size"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
}

// SyntaxError is a script GenieACS would refuse: where and why.
type SyntaxError struct {
	Line, Column int
	Message      string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// Errors the edges map to statuses.
var (
	// ErrTooLarge: a script over MaxScriptBytes (413).
	ErrTooLarge = fmt.Errorf("the script is larger than %d KiB", MaxScriptBytes>>10)
)

// Service manages the organizations' provisions.
type Service struct {
	pool *pgxpool.Pool
	acs  *genieacs.Client
	jobs outbox.JobInserter
}

// NewService builds the service (acs nil: GenieACS is not configured and
// writes fail clearly).
func NewService(pool *pgxpool.Pool, acs *genieacs.Client, jobs outbox.JobInserter) *Service {
	return &Service{pool: pool, acs: acs, jobs: jobs}
}

// Check compiles a script as GenieACS does (the body of a strict-mode
// function) and reports a syntax error's line and column in the script.
func Check(script string) error {
	const prefix = "\"use strict\";(function(){\n"
	_, err := goja.Compile("", prefix+script+"\n})();", true)
	if err == nil {
		return nil
	}
	var se *goja.CompilerSyntaxError
	if !errors.As(err, &se) || se.File == nil {
		return &SyntaxError{Line: 1, Column: 1, Message: err.Error()}
	}
	pos := se.File.Position(se.Offset)
	msg := se.Message
	if i := strings.Index(msg, ": Line "); i >= 0 { // goja repeats the position in the message
		if j := strings.IndexByte(msg[i+7:], ' '); j >= 0 {
			msg = msg[i+7+j+1:]
		}
	}
	return &SyntaxError{Line: max(pos.Line-1, 1), Column: max(pos.Column, 1), Message: msg}
}

// storedName checks a name and returns the organization's name for it in
// GenieACS.
func (s *Service) storedName(ctx context.Context, q db.Executor, orgID uuid.UUID, name string) (string, error) {
	if !nameRE.MatchString(name) {
		return "", validation.Errors{"name": "must be 1-64 characters of a-z, 0-9 and - (no dots, slashes or upper case)"}
	}
	o, err := org.ByID(ctx, q, orgID)
	if err != nil {
		return "", err
	}
	stored := o.Slug + "-" + name
	if strings.HasPrefix(stored, systemPrefix) {
		return "", validation.Errors{"name": fmt.Sprintf("%q is reserved for FyberPay's own provisions", systemPrefix)}
	}
	// "acme" + "fibre-x" and "acme-fibre" + "x" would meet in GenieACS:
	// the name may not reach into another organization's namespace.
	var clash bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organizations WHERE id <> $1 AND starts_with($2, slug || '-'))`,
		orgID, stored).Scan(&clash); err != nil {
		return "", err
	}
	if clash {
		return "", validation.Errors{"name": fmt.Sprintf("would be stored in GenieACS as %q, in another organization's namespace; choose another name", stored)}
	}
	return stored, nil
}

// Save checks a script and stores it as the provision's next version, in
// GenieACS too.
func (s *Service) Save(ctx context.Context, a actor.Actor, name, script string) (Provision, error) {
	return s.save(ctx, a, name, script, "")
}

func (s *Service) save(ctx context.Context, a actor.Actor, name, script, note string) (Provision, error) {
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return Provision{}, err
	}
	if len(script) > MaxScriptBytes {
		return Provision{}, ErrTooLarge
	}
	if strings.TrimSpace(script) == "" {
		return Provision{}, validation.Errors{"script": "is required"}
	}
	if p := validation.TextProblem(script); p != "" {
		return Provision{}, validation.Errors{"script": p}
	}
	if err := Check(script); err != nil {
		var se *SyntaxError
		errors.As(err, &se)
		return Provision{}, validation.Errors{"script": "JavaScript syntax error at " + se.Error()}
	}
	if s.acs == nil {
		return Provision{}, validation.Errors{"script": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	var id uuid.UUID
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		stored, err := s.storedName(ctx, tx, a.OrgID, name)
		if err != nil {
			return err
		}
		var version int
		err = tx.QueryRow(ctx, `INSERT INTO org_provisions (org_id, name, stored_name, version, updated_by) VALUES ($1, $2, $3, 1, $4)
			ON CONFLICT (org_id, name) DO UPDATE SET version = org_provisions.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by
			RETURNING id, version`, a.OrgID, name, stored, a.Label).Scan(&id, &version)
		if errors.Is(db.MapErr(err), db.ErrConflict) {
			return validation.Errors{"name": fmt.Sprintf("%q is taken in GenieACS; choose another name", stored)}
		} else if err != nil {
			return fmt.Errorf("save provision: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO org_provision_versions (provision_id, version, script, author, note) VALUES ($1, $2, $3, $4, $5)`,
			id, version, script, a.Label, note); err != nil {
			return fmt.Errorf("save provision version: %w", err)
		}
		summary := fmt.Sprintf("saved provision %s version %d (%d bytes)", name, version, len(script))
		if note != "" {
			summary += ": " + note
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "provision.save", TargetType: "provision", TargetID: id.String(), Summary: summary}); err != nil {
			return err
		}
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicProvisionSaved, map[string]any{"name": name, "version": version}); err != nil {
			return err
		}
		// Last, inside the transaction: GenieACS refusing it leaves no
		// version behind.
		return s.acs.PutProvision(ctx, stored, script)
	})
	if err != nil {
		return Provision{}, err
	}
	p, err := s.Get(ctx, a, name)
	if err != nil {
		return Provision{}, err
	}
	p.Warnings = s.CheckWarnings(ctx, a.OrgID, script)
	return p, nil
}

// CheckWarnings is Warnings that reports a failed look-up as a warning of
// its own (the script is saved either way).
func (s *Service) CheckWarnings(ctx context.Context, orgID uuid.UUID, script string) []Warning {
	ws, err := s.Warnings(ctx, orgID, script)
	if err != nil {
		return append(ws, Warning{Line: 1, Column: 1, Message: "the paths could not be looked up in GenieACS: " + err.Error()})
	}
	return ws
}

// List returns the organization's provisions (without scripts).
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Provision, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, stored_name, version, updated_at, updated_by, '' AS script, bound, events, weight, model
		FROM org_provisions WHERE org_id = $1 ORDER BY name`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list provisions: %w", err)
	}
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[Provision])
	for i := range ps {
		ps[i].fill()
	}
	return ps, err
}

// Get returns a provision with its current script and its versions.
func (s *Service) Get(ctx context.Context, a actor.Actor, name string) (Provision, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Provision{}, err
	}
	p, err := db.One[Provision](ctx, s.pool, `SELECT p.id, p.name, p.stored_name, p.version, p.updated_at, p.updated_by, v.script,
			p.bound, p.events, p.weight, p.model
		FROM org_provisions p JOIN org_provision_versions v ON v.provision_id = p.id AND v.version = p.version
		WHERE p.org_id = $1 AND p.name = $2`, a.OrgID, name)
	if err != nil {
		return Provision{}, db.MapErr(err)
	}
	p.fill()
	rows, err := s.pool.Query(ctx, `SELECT version, author, note, length(script) AS size, created_at FROM org_provision_versions
		WHERE provision_id = $1 ORDER BY version DESC`, p.ID)
	if err != nil {
		return Provision{}, err
	}
	if p.Versions, err = pgx.CollectRows(rows, pgx.RowToStructByName[Version]); err != nil {
		return Provision{}, err
	}
	return p, nil
}

// Script returns one version's script.
func (s *Service) Script(ctx context.Context, a actor.Actor, name string, version int) (string, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return "", err
	}
	var script string
	err := s.pool.QueryRow(ctx, `SELECT v.script FROM org_provision_versions v JOIN org_provisions p ON p.id = v.provision_id
		WHERE p.org_id = $1 AND p.name = $2 AND v.version = $3`, a.OrgID, name, version).Scan(&script)
	return script, db.MapErr(err)
}

// Revert saves an earlier version's script as the next version.
func (s *Service) Revert(ctx context.Context, a actor.Actor, name string, version int) (Provision, error) {
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return Provision{}, err
	}
	script, err := s.Script(ctx, a, name, version)
	if errors.Is(err, db.ErrNotFound) {
		if _, gerr := s.Get(ctx, a, name); gerr != nil {
			return Provision{}, gerr
		}
		return Provision{}, validation.Errors{"version": fmt.Sprintf("%s has no version %d", name, version)}
	} else if err != nil {
		return Provision{}, err
	}
	return s.save(ctx, a, name, script, fmt.Sprintf("revert to version %d", version))
}

// Delete removes a provision from GenieACS and FyberPay, history included.
func (s *Service) Delete(ctx context.Context, a actor.Actor, name string) error {
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return err
	}
	if s.acs == nil {
		return validation.Errors{"name": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var id uuid.UUID
		var stored string
		err := tx.QueryRow(ctx, `DELETE FROM org_provisions WHERE org_id = $1 AND name = $2 RETURNING id, stored_name`, a.OrgID, name).Scan(&id, &stored)
		if err != nil {
			return db.MapErr(err)
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "provision.delete", TargetType: "provision", TargetID: id.String(),
			Summary: "deleted provision " + name + " and its history"}); err != nil {
			return err
		}
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicProvisionDeleted, map[string]any{"name": name}); err != nil {
			return err
		}
		if err := s.acs.DeletePreset(ctx, stored); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return err
		}
		if err := s.acs.DeleteProvision(ctx, stored); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return err
		}
		return nil
	})
}

// Diff is a version's change against the version before it, as a unified
// diff of lines (version 1 against nothing).
func (s *Service) Diff(ctx context.Context, a actor.Actor, name string, version int) (string, error) {
	after, err := s.Script(ctx, a, name, version)
	if err != nil {
		return "", err
	}
	before := ""
	if version > 1 {
		if before, err = s.Script(ctx, a, name, version-1); err != nil {
			return "", err
		}
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(before), B: difflib.SplitLines(after),
		FromFile: fmt.Sprintf("version %d", version-1), ToFile: fmt.Sprintf("version %d", version), Context: 3,
	})
}
