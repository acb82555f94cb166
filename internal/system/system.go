// Package system reports the state of the installation's moving parts for
// the System page: the GenieACS breaker, the last GenieACS bootstrap and
// the identify callback. These are installation-level facts (one GenieACS
// serves every organization); no organization's data is shown.
package system

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/internal/validation"
)

// Status is what the System page shows.
type Status struct {
	GenieACSConfigured bool   `json:"genieacsConfigured"`
	NBIHost            string `json:"nbiHost,omitempty"`
	Breaker            string `json:"breaker,omitempty"` // closed, half-open, open
	BreakerRequests    uint32 `json:"breakerRequests"`
	BreakerFailures    uint32 `json:"breakerFailures"`
	// Reachable is GenieACS answering now (a call made for the page);
	// DownSince when it stopped.
	Reachable      bool              `json:"reachable"`
	DownSince      *time.Time        `json:"downSince,omitempty"`
	Bootstrap      *provision.Result `json:"bootstrap,omitempty"`
	LastIdentify   *time.Time        `json:"lastIdentify,omitempty"`
	PendingDevices int               `json:"pendingDevices"`
}

// Service computes the status.
type Service struct {
	pool   *pgxpool.Pool
	client *genieacs.Client // nil: GenieACS not configured
	host   string
	jobs   outbox.JobInserter
}

// NewService builds the service; client may be nil.
func NewService(pool *pgxpool.Pool, client *genieacs.Client, nbiHost string, jobs outbox.JobInserter) *Service {
	return &Service{pool: pool, client: client, host: nbiHost, jobs: jobs}
}

// errNotConfigured means GENIEACS_NBI_URL is unset.
func errNotConfigured() error {
	return validation.Errors{"genieacs": "GENIEACS_NBI_URL is not set on this server"}
}

// RunBootstrap queues a GenieACS bootstrap now (it is idempotent; the
// operator organization's owners and admins: GenieACS is shared).
func (s *Service) RunBootstrap(ctx context.Context, a actor.Actor) error {
	if err := a.RequireOperator(); err != nil {
		return err
	}
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return err
	}
	if s.client == nil {
		return errNotConfigured()
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.jobs.InsertTx(ctx, tx, provision.BootstrapArgs{}, nil); err != nil {
			return fmt.Errorf("queue bootstrap: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "genieacs.bootstrap", TargetType: "genieacs", TargetID: s.host,
			Summary: "queued GenieACS bootstrap (provisions, presets, speed-test file)"})
	})
}

// Status reports the installation's state to the operator organization's
// owners and admins.
func (s *Service) Status(ctx context.Context, a actor.Actor) (Status, error) {
	if err := a.RequireOperator(); err != nil {
		return Status{}, err
	}
	st := Status{GenieACSConfigured: s.client != nil, NBIHost: s.host}
	if s.client != nil {
		// A live answer, not the last background call's.
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_ = s.client.Probe(pctx)
		cancel()
		since, down := s.client.Outage()
		st.Reachable = !down
		if down {
			st.DownSince = &since
		}
		st.Breaker = s.client.BreakerState()
		c := s.client.BreakerCounts()
		st.BreakerRequests, st.BreakerFailures = c.Requests, c.TotalFailures
	}
	res, ok, err := provision.LastResult(ctx, s.pool)
	if err != nil {
		return Status{}, err
	}
	if ok {
		st.Bootstrap = &res
	}
	id, err := db.One[struct {
		LastIdentify   *time.Time `db:"last_identify"`
		PendingDevices int        `db:"pending_devices"`
	}](ctx, s.pool, `SELECT (SELECT max(last_at) FROM identify_calls WHERE outcome = ANY($1)) AS last_identify,
		(SELECT count(*) FROM cpe_devices WHERE org_id IS NULL) AS pending_devices`, cpe.AnsweredOutcomes())
	if err != nil {
		return Status{}, fmt.Errorf("identify stats: %w", err)
	}
	st.LastIdentify, st.PendingDevices = id.LastIdentify, id.PendingDevices
	return st, nil
}
