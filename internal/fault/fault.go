package fault

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Statuses of a fault.
const (
	StatusActive   = "active"
	StatusResolved = "resolved"
	StatusCleared  = "cleared"
	// StatusAll is a filter value only.
	StatusAll = "all"
)

// FilterStatuses are the values Filter.Status accepts.
func FilterStatuses() []string {
	return []string{StatusActive, StatusResolved, StatusCleared, StatusAll}
}

// Fault is one stored GenieACS fault.
type Fault struct {
	ID uuid.UUID `json:"id" db:"id"`
	// GenieACSID is GenieACS's "<deviceId>:<channel>".
	GenieACSID       string          `json:"genieacsId" db:"genieacs_id"`
	DeviceID         *uuid.UUID      `json:"deviceId,omitempty" db:"device_id"`
	GenieACSDeviceID string          `json:"genieacsDeviceId" db:"genieacs_device_id"`
	Serial           string          `json:"serial" db:"serial"`
	ProductClass     string          `json:"productClass" db:"product_class"`
	Channel          string          `json:"channel" db:"channel"`
	Code             string          `json:"code" db:"code"`
	Message          string          `json:"message" db:"message"`
	Detail           json.RawMessage `json:"detail,omitempty" db:"detail"`
	Retries          int             `json:"retries" db:"retries"`
	Status           string          `json:"status" db:"status"`
	RaisedAt         time.Time       `json:"raisedAt" db:"raised_at"`
	FirstSeenAt      time.Time       `json:"firstSeenAt" db:"first_seen_at"`
	LastSeenAt       time.Time       `json:"lastSeenAt" db:"last_seen_at"`
	ResolvedAt       *time.Time      `json:"resolvedAt,omitempty" db:"resolved_at"`
	ClearedBy        string          `json:"clearedBy,omitempty" db:"cleared_by"`
}

// Clearable reports whether Clear applies (a cleared fault stays cleared).
func (f Fault) Clearable() bool { return f.Status != StatusCleared }

// columns are read into a Fault by name (its db tags).
const columns = `id, genieacs_id, device_id, genieacs_device_id, serial, product_class, channel, code, message, detail,
	retries, status, raised_at, first_seen_at, last_seen_at, resolved_at, cleared_by`

// Service polls, lists and clears faults.
type Service struct {
	pool *pgxpool.Pool
	acs  *genieacs.Client
	jobs outbox.JobInserter
}

// NewService returns the fault service. acs may be nil (GenieACS not
// configured): lists still work, polls and clears are refused.
func NewService(pool *pgxpool.Pool, acs *genieacs.Client, jobs outbox.JobInserter) *Service {
	return &Service{pool: pool, acs: acs, jobs: jobs}
}

// errNotConfigured: no GenieACS to clear faults in (a 422 at the edge).
func errNotConfigured() error {
	return validation.Errors{"fault": "GenieACS is not configured on this installation, so faults cannot be cleared"}
}

// ErrNoGenieACS: Poll has no GenieACS to read faults from.
var ErrNoGenieACS = errors.New("GenieACS is not configured")

// Filter narrows List. Zero values mean: active faults, any code, model or
// device, first page of 50.
type Filter struct {
	Status string // active (default), resolved, cleared, all
	Code   string
	Model  string // product class
	Device *uuid.UUID
	After  string // cursor from Page.Next
	Limit  int    // 1..500
}

// Page is a page of faults, newest first.
type Page struct {
	Items []Fault `json:"items"`
	Next  string  `json:"next,omitempty"`
}

type cursor struct {
	T time.Time `json:"t"`
	I uuid.UUID `json:"i"`
}

// List returns the organization's faults matching f, newest raised first,
// paged by (raised_at, id).
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Page{}, err
	}
	errs := validation.Errors{}
	if f.Status == "" {
		f.Status = StatusActive
	}
	if !slices.Contains(FilterStatuses(), f.Status) {
		errs.Add("status", "must be one of "+strings.Join(FilterStatuses(), ", "))
	}
	if len(f.Code) > 200 {
		errs.Add("code", "is too long")
	}
	if len(f.Model) > 200 {
		errs.Add("model", "is too long")
	}
	if f.Limit < 0 || f.Limit > 500 {
		errs.Add("limit", "must be between 1 and 500")
	}
	var after cursor
	if f.After != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.After)
		if err == nil {
			err = json.Unmarshal(b, &after)
		}
		if err != nil || after.I == uuid.Nil {
			errs.Add("after", "is not a cursor from a previous page")
		}
	}
	if err := errs.Err(); err != nil {
		return Page{}, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	where, args := []string{"org_id = $1"}, []any{a.OrgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != StatusAll {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Code != "" {
		where = append(where, "code = "+arg(f.Code))
	}
	if f.Model != "" {
		where = append(where, "product_class = "+arg(f.Model))
	}
	if f.Device != nil {
		where = append(where, "device_id = "+arg(*f.Device))
	}
	if f.After != "" {
		where = append(where, "(raised_at, id) < ("+arg(after.T)+", "+arg(after.I)+")")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM cpe_faults WHERE `+strings.Join(where, " AND ")+
		` ORDER BY raised_at DESC, id DESC LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list faults: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[Fault])
	if err != nil {
		return Page{}, fmt.Errorf("list faults: %w", err)
	}
	p := Page{Items: items}
	if len(p.Items) > f.Limit {
		p.Items = p.Items[:f.Limit]
		last := p.Items[f.Limit-1]
		b, _ := json.Marshal(cursor{T: last.RaisedAt, I: last.ID})
		p.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// Group is a count of active faults sharing a code and a model.
type Group struct {
	Code         string `json:"code" db:"code"`
	ProductClass string `json:"productClass" db:"product_class"`
	Count        int    `json:"count" db:"count"`
}

// Groups counts the organization's active faults by code and product
// class, largest first.
func (s *Service) Groups(ctx context.Context, a actor.Actor) ([]Group, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT code, product_class, count(*) AS count FROM cpe_faults
		WHERE org_id = $1 AND status = 'active' GROUP BY code, product_class ORDER BY count(*) DESC, code, product_class LIMIT 200`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("group faults: %w", err)
	}
	gs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Group])
	if err != nil {
		return nil, fmt.Errorf("group faults: %w", err)
	}
	return gs, nil
}

// Get returns one of the organization's faults.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Fault, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Fault{}, err
	}
	return get(ctx, s.pool, a.OrgID, id, false)
}

func get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID, lock bool) (Fault, error) {
	q := `SELECT ` + columns + ` FROM cpe_faults WHERE org_id = $1 AND id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	f, err := db.One[Fault](ctx, exec, q, orgID, id)
	if err != nil {
		return Fault{}, db.MapErr(err)
	}
	return f, nil
}

// Clear deletes the fault in GenieACS (a task fault takes its task with it)
// and marks it cleared by the actor. Clearing a cleared fault changes
// nothing.
func (s *Service) Clear(ctx context.Context, a actor.Actor, id uuid.UUID) (Fault, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Fault{}, err
	}
	f, err := get(ctx, s.pool, a.OrgID, id, false)
	if err != nil {
		return Fault{}, err
	}
	if !f.Clearable() {
		return f, nil
	}
	if s.acs == nil {
		return Fault{}, errNotConfigured()
	}
	if err := s.deleteInGenieACS(ctx, f.GenieACSID); err != nil {
		return Fault{}, fmt.Errorf("delete fault in GenieACS: %w", err)
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := get(ctx, tx, a.OrgID, id, true)
		if err != nil {
			return err
		}
		if !cur.Clearable() {
			f = cur // cleared meanwhile by someone else
			return nil
		}
		f, err = db.One[Fault](ctx, tx, `UPDATE cpe_faults SET status = 'cleared', cleared_by = $2, resolved_at = now()
			WHERE id = $1 RETURNING `+columns, id, a.Label)
		if err != nil {
			return fmt.Errorf("mark fault cleared: %w", err)
		}
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicFaultEnded, endedOf(f)); err != nil {
			return err
		}
		if tid := taskID(f.Channel); tid != "" && f.DeviceID != nil {
			if err := action.TaskFaultCleared(ctx, tx, s.jobs, *f.DeviceID, tid, f.Code, f.Code+": "+f.Message, a.Label); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.fault_clear", TargetType: "cpe_fault", TargetID: f.ID.String(),
			Summary: "cleared fault " + f.Code + " (" + f.Channel + ") on " + f.Serial})
	})
	if err != nil {
		return Fault{}, err
	}
	return f, nil
}

// deleteInGenieACS deletes a fault, trying again a few times while its
// device is in session (503): sessions last a moment.
func (s *Service) deleteInGenieACS(ctx context.Context, id string) error {
	for try := 1; ; try++ {
		err := s.acs.DeleteFault(ctx, id)
		var he *genieacs.HTTPError
		if try == 3 || !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(try) * 250 * time.Millisecond):
		}
	}
}

// taskID is the GenieACS task id of a "task_<id>" channel.
func taskID(channel string) string {
	return genieacs.Fault{Channel: channel}.TaskID()
}
