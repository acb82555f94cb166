// Package jobs wires River: the insert-only client services enqueue with,
// the working client with its queues, workers and periodic jobs. It holds no
// job logic; workers live beside their domain.
package jobs

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/housekeeping"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/internal/secret"
)

// QueueDefault is River's default queue; the GenieACS queue is
// genieacs.QueueName.
const QueueDefault = river.QueueDefault

// NewInserter returns an insert-only client: it starts nothing and is safe
// on web-only replicas.
func NewInserter(pool *pgxpool.Pool, logger *slog.Logger) (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger})
}

// Deps is what the workers need.
type Deps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// RiverLogger is River's own (default Logger): River reports its
	// producers' job counts at INFO every few seconds while busy.
	RiverLogger *slog.Logger
	Box         *secret.Box
	Inserter    outbox.JobInserter
	HTTPClient  *http.Client // webhook deliveries
	// GenieACS is the NBI client; nil when GENIEACS_NBI_URL is unset (its
	// jobs are then never inserted).
	GenieACS *genieacs.Client
	// BreakerSnooze overrides the first wait of a job snoozed because the
	// GenieACS breaker is open (see BreakerSnooze; tests).
	BreakerSnooze time.Duration
	// CPE is the device service (pushes read desired state through it).
	CPE *cpe.Service
	// Sync is the device sync (nil or without GenieACS: no sync jobs).
	Sync *devsync.Service
	// SyncEvery and SyncFullEvery are the incremental and full passes'
	// periods (default 1 min and 1 h).
	SyncEvery, SyncFullEvery time.Duration
	// MetricsRetention bounds the health time series (default 30 days).
	MetricsRetention time.Duration
	// Metrics records job attempts (nil: nothing).
	Metrics *metrics.Metrics
	// SoftStop is how long a stop waits for running jobs before it
	// cancels them (they are retried later); 0: unbounded.
	SoftStop time.Duration
	// Faults polls GenieACS faults (nil or without GenieACS: no poll),
	// every FaultPollEvery (default 1 min).
	Faults         *fault.Service
	FaultPollEvery time.Duration
	// Actions follows device tasks and runs bulk actions (nil: their jobs
	// are never inserted).
	Actions *action.Service
	// Firmware runs firmware deployments.
	Firmware *firmware.Service
	// GenieACSWorkers is how many jobs of the genieacs queue run at once
	// (default 4).
	GenieACSWorkers int
	// PushWait and PushBackoff override the push job's check interval and
	// retry delay (tests, e2e).
	PushWait    time.Duration
	PushBackoff func(attempt int) time.Duration
	// WebhookBackoff overrides the delivery backoff (tests).
	WebhookBackoff func(attempt int) time.Duration
	// Fast polling for tests.
	Fast bool
}

// NewWorkerClient returns the client that works jobs. Start it only on
// worker replicas.
func NewWorkerClient(d Deps) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &outbox.DispatchWorker{Pool: d.Pool, Jobs: d.Inserter})
	river.AddWorker(workers, &outbox.DeliverWorker{Pool: d.Pool, Box: d.Box, Client: d.HTTPClient, Backoff: d.WebhookBackoff, Metrics: d.Metrics})
	river.AddWorker(workers, &housekeeping.Worker{Pool: d.Pool, Logger: d.Logger, MetricsRetention: d.MetricsRetention})
	river.AddWorker(workers, &devsync.Worker{Service: d.Sync})
	river.AddWorker(workers, &fault.PollWorker{Service: d.Faults, Logger: d.Logger, Metrics: d.Metrics})
	river.AddWorker(workers, &provision.BootstrapWorker{Pool: d.Pool, Client: d.GenieACS, Logger: d.Logger})
	river.AddWorker(workers, &action.TaskWorker{Service: d.Actions})
	river.AddWorker(workers, &action.BulkWorker{Service: d.Actions})
	river.AddWorker(workers, &cpe.PushWorker{Service: d.CPE, Client: d.GenieACS, Wait: d.PushWait, Backoff: d.PushBackoff})
	river.AddWorker(workers, &firmware.DeploymentWorker{Service: d.Firmware})

	riverLog := d.RiverLogger
	if riverLog == nil {
		riverLog = d.Logger
	}
	nbi := d.GenieACSWorkers
	if nbi <= 0 {
		nbi = 4
	}
	cfg := &river.Config{
		Logger:          riverLog,
		SoftStopTimeout: d.SoftStop,
		Queues: map[string]river.QueueConfig{
			QueueDefault:       {MaxWorkers: 20},
			genieacs.QueueName: {MaxWorkers: nbi},
		},
		Workers: workers,
		// One rule for every worker: GenieACS's breaker open → snooze.
		Middleware: []rivertype.Middleware{&Measure{Metrics: d.Metrics}, &BreakerSnooze{Base: d.BreakerSnooze}},
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return housekeeping.Args{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "housekeeping"}),
		},
	}
	if d.Sync != nil && d.GenieACS != nil {
		every, full := d.SyncEvery, d.SyncFullEvery
		if every <= 0 {
			every = time.Minute
		}
		if full <= 0 {
			full = time.Hour
		}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, devsync.PeriodicJobs(every, full)...)
	}
	if d.Faults != nil && d.GenieACS != nil {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, fault.PeriodicJob(d.FaultPollEvery))
	}
	if d.Fast {
		cfg.FetchCooldown = 20 * time.Millisecond
		cfg.FetchPollInterval = 50 * time.Millisecond
	}
	return river.NewClient(riverpgxv5.New(d.Pool), cfg)
}
