package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
)

// syncCmd runs one device sync pass in the foreground (operators, and the
// sync benchmark). --discard only streams GenieACS's pages and throws them
// away: the floor a pass is compared with.
func syncCmd(ctx context.Context, env config.Lookup, args []string, stdout io.Writer) error {
	fs := newFlags("sync")
	pass := fs.String("pass", devsync.Full, "")
	discard := fs.Bool("discard", false, "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *pass != devsync.Full && *pass != devsync.Incremental {
		return fmt.Errorf("sync: --pass must be full or incremental")
	}
	raw, _ := env("GENIEACS_NBI_URL")
	nbi, err := url.Parse(raw)
	if raw == "" || err != nil || nbi.Host == "" {
		return fmt.Errorf("sync: GENIEACS_NBI_URL must be the NBI's URL, e.g. http://genieacs-nbi:7557")
	}
	pool, cfg, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	acs, err := genieacs.New(genieacs.Config{NBIURL: nbi})
	if err != nil {
		return err
	}
	start := time.Now()
	if *discard {
		n := 0
		err := acs.EachDeviceDoc(ctx, nil, devsync.Projection(), 1000, func(*genieacs.Device, error) error { n++; return nil })
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "streamed %d devices in %.2fs (discarded)\n", n, time.Since(start).Seconds())
		return nil
	}
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	svc := devsync.NewService(pool, acs, ins, nil)
	svc.Thresholds = app.Thresholds(cfg) // judged as serve judges
	run, err := svc.Sync(ctx, *pass)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sync %s: seen %d, created %d, updated %d, deleted %d, skipped %d, samples %d in %.2fs\n",
		run.Kind, run.Seen, run.Created, run.Updated, run.Deleted, run.Skipped, run.Samples, time.Since(start).Seconds())
	return nil
}
