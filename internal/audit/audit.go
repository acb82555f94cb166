// Package audit records every write: who, in which organization, did what
// to which target, from where and when. Record runs on the caller's
// transaction, so an audit row exists exactly when the change it describes
// was committed. Rows are only ever read within the actor's organization.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
)

// Entry is what a service says about one change.
type Entry struct {
	Action     string // dotted verb, e.g. "user.create"
	TargetType string
	TargetID   string
	Summary    string // short, human-readable; never a secret
}

// Record writes one audit row for the actor's organization on exec (the
// transaction of the change).
func Record(ctx context.Context, exec db.Executor, a actor.Actor, e Entry) error {
	var actorID, orgID *uuid.UUID
	if a.ID != uuid.Nil {
		actorID = &a.ID
	}
	if a.OrgID != uuid.Nil { // nil: an installation-level row, listed to no organization
		orgID = &a.OrgID
	}
	_, err := exec.Exec(ctx, `
		INSERT INTO audit_log (org_id, actor_type, actor_id, actor_label, action, target_type, target_id, summary, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		orgID, string(a.Kind), actorID, a.Label, e.Action, e.TargetType, e.TargetID, truncate(e.Summary, 500), a.IP)
	if err != nil {
		return fmt.Errorf("record audit %s: %w", e.Action, err)
	}
	return nil
}

// Row is one stored audit entry.
type Row struct {
	ID         int64     `json:"id" db:"id"`
	ActorType  string    `json:"actorType" db:"actor_type"`
	ActorID    *string   `json:"actorId,omitempty" db:"actor_id"`
	ActorLabel string    `json:"actor" db:"actor_label"`
	Action     string    `json:"action" db:"action"`
	TargetType string    `json:"targetType" db:"target_type"`
	TargetID   string    `json:"targetId" db:"target_id"`
	Summary    string    `json:"summary" db:"summary"`
	IP         string    `json:"ip" db:"ip"`
	CreatedAt  time.Time `json:"createdAt" db:"created_at"`
}

// Filter narrows a listing. Zero values mean "any".
type Filter struct {
	Actor      string // exact actor label (e-mail or key name)
	Action     string // exact action, or a prefix ending in "." ("user.")
	TargetType string
	TargetID   string
	From, To   time.Time // created_at in [From, To)
	Before     *Cursor   // keyset: rows strictly older than the cursor
	Limit      int
}

// Cursor is a position in the log: rows are ordered by (created_at, id).
type Cursor struct {
	At time.Time
	ID int64
}

// String encodes the cursor for URLs: "<unix microseconds>.<id>".
func (c Cursor) String() string { return fmt.Sprintf("%d.%d", c.At.UnixMicro(), c.ID) }

// ParseCursor decodes Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	us, id, ok := strings.Cut(s, ".")
	if !ok {
		return Cursor{}, errors.New("malformed cursor")
	}
	u, err1 := strconv.ParseInt(us, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || i <= 0 {
		return Cursor{}, errors.New("malformed cursor")
	}
	return Cursor{At: time.UnixMicro(u), ID: i}, nil
}

// Page is one page of rows, newest first; Next is the cursor of the next
// page, or "" when this is the last.
type Page struct {
	Rows []Row  `json:"items"`
	Next string `json:"next,omitempty"`
}

// rowColumns are read into a Row by name (its db tags).
const rowColumns = `id, actor_type, actor_id::text AS actor_id, actor_label, action, target_type, target_id, summary, ip, created_at`

// MaxLimit caps a page.
const MaxLimit = 200

// List returns the actor's organization's audit rows matching f, newest
// first, paged by id (no OFFSET).
func List(ctx context.Context, exec db.Executor, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = 50
	}
	where := []string{"org_id = $1"}
	args := []any{a.OrgID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor_label = $%d", f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add("action LIKE $%d", escapeLike(f.Action)+"%")
		} else {
			add("action = $%d", f.Action)
		}
	}
	if f.TargetType != "" {
		add("target_type = $%d", f.TargetType)
	}
	if f.TargetID != "" {
		add("target_id = $%d", f.TargetID)
	}
	if !f.From.IsZero() {
		add("created_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("created_at < $%d", f.To)
	}
	if f.Before != nil {
		args = append(args, f.Before.At, f.Before.ID)
		where = append(where, fmt.Sprintf("(created_at, id) < ($%d, $%d)", len(args)-1, len(args)))
	}
	args = append(args, f.Limit+1)
	q := fmt.Sprintf(`SELECT `+rowColumns+`
		FROM audit_log WHERE %s ORDER BY created_at DESC, id DESC LIMIT $%d`, strings.Join(where, " AND "), len(args))
	rows, err := exec.Query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list audit: %w", err)
	}
	var p Page
	if p.Rows, err = pgx.AppendRows(p.Rows, rows, pgx.RowToStructByName[Row]); err != nil {
		return Page{}, err
	}
	if len(p.Rows) > f.Limit {
		p.Rows = p.Rows[:f.Limit]
		last := p.Rows[len(p.Rows)-1]
		p.Next = Cursor{At: last.CreatedAt, ID: last.ID}.String()
	}
	return p, nil
}

// Get returns one row of the actor's organization.
func Get(ctx context.Context, exec db.Executor, a actor.Actor, id int64) (Row, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Row{}, err
	}
	r, err := db.One[Row](ctx, exec, `SELECT `+rowColumns+` FROM audit_log WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	return r, db.MapErr(err)
}

// Actions lists the distinct actions seen in the organization, for filters.
func Actions(ctx context.Context, exec db.Executor, a actor.Actor) ([]string, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	// Loose index scan on (org_id, action): one index probe per distinct
	// action instead of reading every row.
	rows, err := exec.Query(ctx, `
		WITH RECURSIVE t(action) AS (
			(SELECT action FROM audit_log WHERE org_id = $1 ORDER BY action LIMIT 1)
			UNION ALL
			SELECT (SELECT action FROM audit_log WHERE org_id = $1 AND action > t.action ORDER BY action LIMIT 1)
			FROM t WHERE t.action IS NOT NULL
		)
		SELECT action FROM t WHERE action IS NOT NULL`, a.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Reader reads the audit log for the pages and the API, so handlers hold a
// service rather than a database handle.
type Reader struct{ exec db.Executor }

// NewReader reads through exec (the pool).
func NewReader(exec db.Executor) *Reader { return &Reader{exec: exec} }

// List is List on the reader's executor.
func (r *Reader) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	return List(ctx, r.exec, a, f)
}

// Get is Get on the reader's executor.
func (r *Reader) Get(ctx context.Context, a actor.Actor, id int64) (Row, error) {
	return Get(ctx, r.exec, a, id)
}

// Actions is Actions on the reader's executor.
func (r *Reader) Actions(ctx context.Context, a actor.Actor) ([]string, error) {
	return Actions(ctx, r.exec, a)
}
