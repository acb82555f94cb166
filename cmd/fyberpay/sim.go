package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/provisions"
)

// simConfig is the parsed `fyberpay sim` command line.
type simConfig struct {
	opts            acssim.Options
	nbiAddr, fsAddr string
}

// parseSimFlags reads the sim command's flags.
func parseSimFlags(args []string) (simConfig, error) {
	fs := newFlags("sim")
	devices := fs.Int("devices", 100, "")
	nbiAddr := fs.String("nbi-addr", "127.0.0.1:7557", "")
	fsAddr := fs.String("fs-addr", "127.0.0.1:7567", "")
	extDir := fs.String("ext-dir", "", "")
	fyberpayURL := fs.String("fyberpay-url", "", "")
	internalKey := fs.String("internal-key", "", "")
	awaitPreset := fs.String("await-preset", "", "")
	profiles := fs.String("profiles", "", "")
	offline := fs.Float64("offline-ratio", 0, "")
	retire := fs.Float64("retire-ratio", 0, "")
	interval := fs.Duration("inform-interval", 300*time.Second, "")
	compression := fs.Float64("time-compression", 1, "")
	seed := fs.Int64("seed", 1, "")
	if err := parseFlags(fs, args); err != nil {
		return simConfig{}, err
	}
	if *devices < 0 {
		return simConfig{}, fmt.Errorf("sim: --devices must not be negative")
	}
	if *offline < 0 || *offline > 1 {
		return simConfig{}, fmt.Errorf("sim: --offline-ratio must be between 0 and 1")
	}
	if *retire < 0 || *offline+*retire > 1 {
		return simConfig{}, fmt.Errorf("sim: --retire-ratio must be between 0 and 1 - --offline-ratio")
	}
	if *interval < time.Second {
		return simConfig{}, fmt.Errorf("sim: --inform-interval must be at least 1s")
	}
	if *compression <= 0 {
		return simConfig{}, fmt.Errorf("sim: --time-compression must be positive")
	}
	mix, err := parseProfiles(*profiles)
	if err != nil {
		return simConfig{}, err
	}
	var env []string
	if *fyberpayURL != "" {
		env = append(env, "FYBERPAY_URL="+*fyberpayURL)
	}
	if *internalKey != "" {
		env = append(env, "FYBERPAY_INTERNAL_KEY="+*internalKey)
	}
	return simConfig{
		opts: acssim.Options{
			Devices: *devices, Profiles: mix, OfflineRatio: *offline, RetireRatio: *retire, InformInterval: *interval,
			TimeCompression: *compression, ExtDir: *extDir, ExtEnv: env, AwaitPreset: *awaitPreset, Seed: *seed,
		},
		nbiAddr: *nbiAddr, fsAddr: *fsAddr,
	}, nil
}

// parseProfiles reads "huawei-hg8245h=50,zte-f660=30"; "" means an equal mix.
func parseProfiles(s string) (map[string]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	mix := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || name == "" || err != nil || n < 0 {
			return nil, fmt.Errorf("sim: --profiles: want name=weight, got %q", part)
		}
		mix[name] = n
	}
	return mix, nil
}

// sim serves a GenieACS simulator (NBI and file server) until ctx ends.
func sim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseSimFlags(args)
	if err != nil {
		return err
	}
	cfg.opts.Logger = newLogger(stderr, "info")
	if cfg.opts.ExtDir == "" {
		// GENIEACS_EXT_DIR with FyberPay's ext script, as a deployment has.
		dir, err := os.MkdirTemp("", "fyberpay-ext-")
		if err != nil {
			return fmt.Errorf("sim: ext dir: %w", err)
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, "fyberpay.js"), provisions.ExtScript(), 0o600); err != nil {
			return fmt.Errorf("sim: ext dir: %w", err)
		}
		cfg.opts.ExtDir = dir
	}
	acssim.LimitMemory()
	s, err := acssim.New(cfg.opts)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	nbiLn, err := net.Listen("tcp", cfg.nbiAddr)
	if err != nil {
		return fmt.Errorf("sim: listen on --nbi-addr %s: %w", cfg.nbiAddr, err)
	}
	fsLn, err := net.Listen("tcp", cfg.fsAddr)
	if err != nil {
		_ = nbiLn.Close()
		return fmt.Errorf("sim: listen on --fs-addr %s: %w", cfg.fsAddr, err)
	}
	s.SetFSURL("http://" + fsLn.Addr().String())
	nbiSrv := &http.Server{Handler: s.NBI(), ReadHeaderTimeout: 10 * time.Second}
	fsSrv := &http.Server{Handler: s.FS(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	for _, p := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{nbiSrv, nbiLn}, {fsSrv, fsLn}} {
		go func() {
			if err := p.srv.Serve(p.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.Start(runCtx)
	fmt.Fprintf(stdout, "acs simulator: NBI on http://%s, file server on http://%s, %d devices\n",
		nbiLn.Addr(), fsLn.Addr(), cfg.opts.Devices)

	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("sim: serve: %w", err)
	}
	cancel()
	shutCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = nbiSrv.Shutdown(shutCtx)
	_ = fsSrv.Shutdown(shutCtx)
	return err
}
