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

	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/provision"
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
	a, err := app.New(cfg, pool, app.Options{Logger: logger, RiverLogger: newLogger(stderr, riverLogLevel(cfg.LogLevel))})
	if err != nil {
		return err
	}
	if a.GenieACS == nil {
		logger.Info("GENIEACS_NBI_URL not set: skipping all GenieACS start-up work")
	} else {
		// Idempotent and unique while unfinished: every replica may ask.
		if _, err := a.Inserter.Insert(ctx, provision.BootstrapArgs{}, nil); err != nil {
			return fmt.Errorf("queue GenieACS bootstrap: %w", err)
		}
		logger.Info("GenieACS bootstrap queued", "nbi", a.NBIHost)
		n, err := a.Firmware.Requeue(ctx)
		if err != nil {
			return fmt.Errorf("requeue firmware deployments: %w", err)
		}
		if n > 0 {
			logger.Info("firmware deployments resumed", "deployments", n)
		}
	}

	errc := make(chan error, 3)
	var stops []func(context.Context) error

	if *workerOn {
		wc, err := jobs.NewWorkerClient(a.Workers())
		if err != nil {
			return fmt.Errorf("river client: %w", err)
		}
		// Not ctx: a signal stops the web server first, then the workers
		// (shutdown below), never both at once.
		if err := wc.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start river: %w", err)
		}
		logger.Info("river workers started", "queues", []string{jobs.QueueDefault, genieacs.QueueName})
		stops = append(stops, wc.Stop)
	}

	if *webOn {
		e, waitWeb, err := a.Web(ctx)
		if err != nil {
			return err
		}
		defer waitWeb()
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

	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics.Handler())
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		logger.Info("metrics listening", "addr", ln.Addr().String())
		go func() {
			if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		stops = append(stops, ms.Shutdown)
	}

	select {
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	case err := <-errc:
		logger.Error("server failed", "err", err)
		shutdown(logger, stops, cfg.ShutdownTimeout)
		return err
	}
	shutdown(logger, stops, cfg.ShutdownTimeout)
	logger.Info("stopped")
	return nil
}

// shutdown stops the web server first (no new connections; in-flight
// requests finish), then the workers (no new jobs; running ones finish, or
// past the timeout River cancels them and they are retried later), each
// within timeout. The pools close after.
func shutdown(logger *slog.Logger, stops []func(context.Context) error, timeout time.Duration) {
	for _, stop := range stops {
		// River's soft stop cancels jobs at timeout: a moment more lets
		// them return and be recorded for retry.
		ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
		if err := stop(ctx); err != nil {
			logger.Warn("shutdown", "err", err)
		}
		cancel()
	}
}
