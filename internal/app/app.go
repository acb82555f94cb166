// Package app builds FyberPay's whole service graph in one place: from a
// configuration and a database pool to every service, the River worker
// dependencies and the HTTP server. `serve`, the web test harness (and so
// every handler test and benchmark) and the e2e suite, which runs the real
// binary, all construct the application here, so tests run what production
// runs and a new service is added once.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/system"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web"
)

// Options are what a caller sets beyond the configuration.
type Options struct {
	Logger *slog.Logger
	// RiverLogger is River's own log (default Logger).
	RiverLogger *slog.Logger
	// GenieACS replaces the NBI client built from GENIEACS_NBI_URL (tests:
	// the simulator's client, with its own breaker settings).
	GenieACS *genieacs.Client
	// TaskFollowEvery, InlineWait and FSURL override how device tasks are
	// followed and where the speed-test file is (tests).
	TaskFollowEvery, InlineWait time.Duration
	FSURL                       string
	// ContactEvery is how often identify's contact times are written
	// (default 100 ms).
	ContactEvery time.Duration
	// FirmwareFollowEvery is how often a firmware deployment's job steps
	// (default 10 s; tests).
	FirmwareFollowEvery time.Duration
}

// App is the built graph.
type App struct {
	Config   *config.Config
	Pool     *pgxpool.Pool
	Logger   *slog.Logger
	Box      *secret.Box
	Inserter *river.Client[pgx.Tx]
	// GenieACS is nil when GenieACS is not configured; NBIHost names it.
	GenieACS *genieacs.Client
	NBIHost  string

	CPE         *cpe.Service
	Actions     *action.Service
	Sync        *devsync.Service
	Faults      *fault.Service
	Users       *user.Service
	APIKeys     *apikey.Service
	Webhooks    *outbox.Endpoints
	Dashboard   *dashboard.Service
	Health      *devicehealth.Service
	System      *system.Service
	Subscribers *subscriber.Service
	Firmware    *firmware.Service
	Provisions  *orgprovision.Service
	Orgs        *org.Service
	Integration *integration.Service
	Sessions    *session.Store
	Audit       *audit.Reader
	// Metrics is this process's Prometheus registry and recorders.
	Metrics *metrics.Metrics

	riverLogger  *slog.Logger
	contactEvery time.Duration
}

// New builds every service from cfg on pool.
func New(cfg *config.Config, pool *pgxpool.Pool, o Options) (*App, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	box, err := secret.NewBox(cfg.EncryptionKeys)
	if err != nil {
		return nil, err
	}
	ins, err := jobs.NewInserter(pool, logger)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Pool: pool, Logger: logger, Box: box, Inserter: ins, GenieACS: o.GenieACS,
		riverLogger: o.RiverLogger, contactEvery: o.ContactEvery, Metrics: metrics.New()}
	if a.contactEvery == 0 {
		a.contactEvery = 100 * time.Millisecond
	}
	if cfg.GenieACSNBIURL != nil {
		a.NBIHost = cfg.GenieACSNBIURL.Host
		if a.GenieACS == nil {
			a.GenieACS, err = genieacs.New(genieacs.Config{NBIURL: cfg.GenieACSNBIURL, OnStateChange: func(from, to string) {
				logger.Warn("genieacs circuit breaker", "from", from, "to", to)
			}})
			if err != nil {
				return nil, err
			}
		}
	}

	if a.GenieACS != nil {
		a.GenieACS.Instrument(a.Metrics)
	}
	th := Thresholds(cfg)
	a.CPE = cpe.NewService(pool, box, ins).WithThresholds(th)
	a.Actions = action.NewService(pool, box, a.GenieACS, ins, a.CPE)
	a.Actions.FollowEvery, a.Actions.BulkRate = cfg.TaskFollowInterval, cfg.BulkRate
	if cfg.GenieACSFSPublicURL != nil {
		a.Actions.FSURL = cfg.GenieACSFSPublicURL.String()
	}
	if o.TaskFollowEvery > 0 {
		a.Actions.FollowEvery = o.TaskFollowEvery
	}
	if o.InlineWait > 0 {
		a.Actions.InlineWait = o.InlineWait
	}
	if o.FSURL != "" {
		a.Actions.FSURL = o.FSURL
	}
	a.Sync = devsync.NewService(pool, a.GenieACS, ins, logger)
	a.Sync.Thresholds = th
	a.Sync.Metrics = a.Metrics
	a.Faults = fault.NewService(pool, a.GenieACS, ins)
	a.Users = user.NewService(pool, cfg.PasswordHashMemoryKiB, user.Limits{})
	a.APIKeys = apikey.NewService(pool)
	a.Webhooks = outbox.NewEndpoints(pool, box, ins)
	a.Dashboard = dashboard.NewService(pool).WithThresholds(th)
	a.Health = devicehealth.NewService(pool)
	a.System = system.NewService(pool, a.GenieACS, a.NBIHost, ins)
	a.Subscribers = subscriber.NewService(pool, box)
	a.Audit = audit.NewReader(pool)
	a.Provisions = orgprovision.NewService(pool, a.GenieACS, ins)
	a.Orgs = org.NewService(pool)
	a.Integration = integration.NewService(pool, a.GenieACS, a.CPE, a.Sync, integration.Settings{NBIURL: cfg.GenieACSNBIURL,
		SyncEvery: cfg.SyncInterval, FaultPollEvery: cfg.FaultPollInterval})
	a.Firmware = firmware.NewService(pool, a.GenieACS, ins)
	a.Firmware.FollowEvery = cfg.FirmwareFollowInterval
	if o.FirmwareFollowEvery > 0 {
		a.Firmware.FollowEvery = o.FirmwareFollowEvery
	}
	if cfg.FirmwareMaxBytes > 0 {
		a.Firmware.MaxBytes = cfg.FirmwareMaxBytes
	}
	if cfg.FirmwareJSONMaxBytes > 0 {
		a.Firmware.JSONMaxBytes = cfg.FirmwareJSONMaxBytes
	}
	a.Sessions = session.NewStore(pool, cfg.SessionKeys, cfg.SessionTTL, cfg.SecureCookies())
	a.registerGauges()
	return a, nil
}

// Workers are the River worker client's dependencies: every worker and
// periodic job production runs. A caller may adjust them (tests run the
// sync and the fault poll themselves, and poll fast) before
// jobs.NewWorkerClient.
func (a *App) Workers() jobs.Deps {
	return jobs.Deps{
		Pool: a.Pool, Logger: a.Logger, RiverLogger: a.riverLogger, Box: a.Box, Inserter: a.Inserter,
		GenieACS: a.GenieACS, CPE: a.CPE, Actions: a.Actions, Firmware: a.Firmware, Sync: a.Sync, Faults: a.Faults,
		FaultPollEvery: a.Config.FaultPollInterval, SyncEvery: a.Config.SyncInterval, SyncFullEvery: a.Config.SyncFullInterval,
		MetricsRetention: a.Config.MetricsRetention, GenieACSWorkers: a.Config.GenieACSWorkers, SoftStop: a.Config.ShutdownTimeout,
		HTTPClient: outbox.NewHTTPClient(a.Config.WebhookAllowPrivate), Metrics: a.Metrics,
	}
}

// Web builds the HTTP server with River's UI at /admin/jobs and starts
// what the web side runs beside it (identify's contact batching) until
// ctx ends; stop waits for that to finish.
func (a *App) Web(ctx context.Context) (e *echo.Echo, stop func(), err error) {
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(a.Inserter, nil),
		Logger:    a.Logger,
		Prefix:    "/admin/jobs",
	})
	if err != nil {
		return nil, nil, fmt.Errorf("river ui: %w", err)
	}
	if err := ui.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start river ui: %w", err)
	}
	stop = a.CPE.StartContactBatching(ctx, a.contactEvery, a.Logger)
	if a.GenieACS != nil && a.Config.GenieACSProbeInterval > 0 {
		// The outage banner's source while nothing else calls GenieACS.
		go a.GenieACS.Watch(ctx, a.Config.GenieACSProbeInterval)
	}
	return web.New(web.Deps{
		Config: a.Config, Pool: a.Pool, Logger: a.Logger,
		Audit: a.Audit, Users: a.Users, APIKeys: a.APIKeys, Webhooks: a.Webhooks, Dashboard: a.Dashboard,
		CPE: a.CPE, Actions: a.Actions, Sync: a.Sync, Faults: a.Faults, Health: a.Health,
		System: a.System, Subscribers: a.Subscribers, Firmware: a.Firmware, Provisions: a.Provisions, Orgs: a.Orgs, GenieACS: a.GenieACS, Sessions: a.Sessions,
		Integration: a.Integration,
		RiverUI:     http.Handler(ui), Metrics: a.Metrics,
	}), stop, nil
}

// Thresholds are OFFLINE_AFTER and STALE_AFTER (the defaults where unset),
// given to every service that judges a device's status: the device list,
// the dashboard and the sync's online/offline events.
func Thresholds(cfg *config.Config) cpe.Thresholds {
	return cpe.Thresholds{Online: cfg.OfflineAfter, Stale: cfg.StaleAfter}.OrDefault()
}
