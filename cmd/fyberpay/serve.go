package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"riverqueue.com/riverui"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/health"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/system"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web"
)

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// riverLogLevel is the level of River's own log: at the default level
// River's INFO lines (its producers' job counts every few seconds while
// busy) would drown ours, so it logs warnings and errors unless LOG_LEVEL
// asks for debug (or less than info).
func riverLogLevel(level string) string {
	if level == "" || level == "info" {
		return "warn"
	}
	return level
}

// serve runs the web server and/or the River workers until ctx ends.
func serve(ctx context.Context, env config.Lookup, args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	webOn := fs.Bool("web", true, "")
	workerOn := fs.Bool("worker", true, "")
	migrateOn := fs.Bool("migrate", true, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*webOn && !*workerOn {
		return errors.New("serve: --web=false and --worker=false leave nothing to run")
	}
	cfg, err := config.Load(env, config.Needs{Server: true})
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)
	slog.SetDefault(logger)

	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *migrateOn {
		res, err := db.Migrate(ctx, pool, logger)
		if err != nil {
			return err
		}
		logger.Info("migrations", "schema_version", res.AppVersion, "applied", res.AppApplied, "river_applied", res.RiverApplied)
	}
	box, err := secret.NewBox(cfg.EncryptionKeys)
	if err != nil {
		return err
	}
	inserter, err := jobs.NewInserter(pool, logger)
	if err != nil {
		return err
	}
	var acs *genieacs.Client
	nbiHost := ""
	if cfg.GenieACSNBIURL == nil {
		logger.Info("GENIEACS_NBI_URL not set: skipping all GenieACS start-up work")
	} else {
		nbiHost = cfg.GenieACSNBIURL.Host
		acs, err = genieacs.New(genieacs.Config{NBIURL: cfg.GenieACSNBIURL, OnStateChange: func(from, to string) {
			logger.Warn("genieacs circuit breaker", "from", from, "to", to)
		}})
		if err != nil {
			return err
		}
		// Idempotent and unique while unfinished: every replica may ask.
		if _, err := inserter.Insert(ctx, provision.BootstrapArgs{}, nil); err != nil {
			return fmt.Errorf("queue GenieACS bootstrap: %w", err)
		}
		logger.Info("GenieACS bootstrap queued", "nbi", nbiHost)
	}

	th := thresholds(cfg)
	cpeSvc := cpe.NewService(pool, box, inserter).WithThresholds(th)
	actions := action.NewService(pool, box, acs, inserter, cpeSvc)
	syncSvc := devsync.NewService(pool, acs, inserter, logger)
	syncSvc.Thresholds = th
	faults := fault.NewService(pool, acs, inserter)
	actions.FollowEvery, actions.BulkRate = cfg.TaskFollowInterval, cfg.BulkRate
	if cfg.GenieACSFSPublicURL != nil {
		actions.FSURL = cfg.GenieACSFSPublicURL.String()
	}

	errc := make(chan error, 2)
	var stops []func(context.Context) error

	if *workerOn {
		wc, err := jobs.NewWorkerClient(jobs.Deps{
			Pool: pool, Logger: logger, RiverLogger: newLogger(stderr, riverLogLevel(cfg.LogLevel)),
			Box: box, Inserter: inserter, GenieACS: acs, CPE: cpeSvc, Actions: actions,
			Sync: syncSvc, Faults: faults, FaultPollEvery: cfg.FaultPollInterval, SyncFullEvery: cfg.SyncFullInterval, MetricsRetention: cfg.MetricsRetention,
			HTTPClient: outbox.NewHTTPClient(cfg.WebhookAllowPrivate),
		})
		if err != nil {
			return fmt.Errorf("river client: %w", err)
		}
		if err := wc.Start(ctx); err != nil {
			return fmt.Errorf("start river: %w", err)
		}
		logger.Info("river workers started", "queues", []string{jobs.QueueDefault, genieacs.QueueName})
		stops = append(stops, wc.Stop)
	}

	if *webOn {
		ui, err := riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints: riverui.NewEndpoints(inserter, nil),
			Logger:    logger,
			Prefix:    "/admin/jobs",
		})
		if err != nil {
			return fmt.Errorf("river ui: %w", err)
		}
		if err := ui.Start(ctx); err != nil {
			return fmt.Errorf("start river ui: %w", err)
		}
		users := user.NewService(pool, cfg.PasswordHashMemoryKiB, user.Limits{})
		waitContacts := cpeSvc.StartContactBatching(ctx, 100*time.Millisecond, logger)
		defer waitContacts()
		e := web.New(web.Deps{
			Config: cfg, Pool: pool, Logger: logger,
			Users: users, APIKeys: apikey.NewService(pool),
			Webhooks:    outbox.NewService(pool, box, inserter),
			Dashboard:   dashboard.NewService(pool).WithThresholds(th),
			CPE:         cpeSvc,
			Actions:     actions,
			Sync:        syncSvc,
			Faults:      faults,
			Health:      health.NewService(pool),
			System:      system.NewService(pool, acs, nbiHost, inserter),
			Subscribers: subscriber.NewService(pool, box),
			GenieACS:    acs,
			Sessions:    session.NewStore(pool, cfg.SessionKeys, cfg.SessionTTL, cfg.SecureCookies()),
			RiverUI:     ui,
		})
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
		}
		logger.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String())
		go func() {
			if err := e.Server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		stops = append([]func(context.Context) error{e.Shutdown}, stops...)
	}

	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-errc:
		logger.Error("server failed", "err", err)
		shutdown(stops)
		return err
	}
	shutdown(stops)
	return nil
}

// thresholds are OFFLINE_AFTER and STALE_AFTER, given to every service
// that judges a device's status (the device list, the dashboard and the
// sync's online/offline events).
func thresholds(cfg *config.Config) cpe.Thresholds {
	return cpe.Thresholds{Online: cfg.OfflineAfter, Stale: cfg.StaleAfter}
}

// shutdown stops the web server first (no new work), then the workers,
// within 25 s.
func shutdown(stops []func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	for _, stop := range stops {
		_ = stop(ctx)
	}
}
