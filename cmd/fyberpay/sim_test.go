package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
)

func TestSimFlags(t *testing.T) {
	t.Parallel()
	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		cfg, err := parseSimFlags(nil)
		require.NoError(t, err)
		require.Equal(t, 100, cfg.opts.Devices)
		require.Equal(t, "127.0.0.1:7557", cfg.nbiAddr)
		require.Equal(t, "127.0.0.1:7567", cfg.fsAddr)
		require.Equal(t, 300*time.Second, cfg.opts.InformInterval)
		require.Equal(t, 1.0, cfg.opts.TimeCompression)
		require.Equal(t, int64(1), cfg.opts.Seed)
		require.Nil(t, cfg.opts.Profiles)
	})
	t.Run("AllFlags", func(t *testing.T) {
		t.Parallel()
		cfg, err := parseSimFlags([]string{
			"--devices", "5", "--nbi-addr", "0.0.0.0:1", "--fs-addr", "0.0.0.0:2",
			"--ext-dir", "/opt/ext", "--fyberpay-url", "http://app", "--internal-key", "k", "--await-preset", "fyberpay-bootstrap",
			"--profiles", "huawei-hg8245h=50,zte-f660=30,tplink-archer-ax10=20", "--offline-ratio", "0.1",
			"--retire-ratio", "0.05", "--inform-interval", "60s", "--time-compression", "60", "--seed", "9",
		})
		require.NoError(t, err)
		require.Equal(t, map[string]int{acssim.ProfileHuaweiHG8245H: 50, acssim.ProfileZTEF660: 30, acssim.ProfileTPLinkAX10: 20}, cfg.opts.Profiles)
		require.Equal(t, "/opt/ext", cfg.opts.ExtDir)
		require.Equal(t, []string{"FYBERPAY_URL=http://app", "FYBERPAY_INTERNAL_KEY=k"}, cfg.opts.ExtEnv)
		require.Equal(t, "fyberpay-bootstrap", cfg.opts.AwaitPreset)
		require.Equal(t, 0.1, cfg.opts.OfflineRatio)
		require.Equal(t, 0.05, cfg.opts.RetireRatio)
		require.Equal(t, 60.0, cfg.opts.TimeCompression)
	})
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"UnknownFlag", "sim: flag provided but not defined: -nope", []string{"--nope"}},
		{"StrayArgument", `sim: unexpected argument "extra"`, []string{"extra"}},
		{"BadProfiles", `sim: --profiles: want name=weight, got "huawei"`, []string{"--profiles", "huawei"}},
		{"BadRatio", "sim: --offline-ratio must be between 0 and 1", []string{"--offline-ratio", "2"}},
		{"BadRetireRatio", "sim: --retire-ratio must be between 0 and 1 - --offline-ratio", []string{"--offline-ratio", "0.5", "--retire-ratio", "0.6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseSimFlags(tc.args)
			require.EqualError(t, err, tc.want)
		})
	}
	t.Run("UnknownProfileIsRejectedAtStart", func(t *testing.T) {
		t.Parallel()
		err := sim(context.Background(), []string{"--profiles", "nokia=1", "--nbi-addr", "127.0.0.1:0", "--fs-addr", "127.0.0.1:0"}, io.Discard, io.Discard)
		require.ErrorContains(t, err, `unknown profile "nokia"`)
	})
}

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSimServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"sim", "--devices", "3", "--nbi-addr", "127.0.0.1:0", "--fs-addr", "127.0.0.1:0"},
			func(string) (string, bool) { return "", false }, nil, &out, io.Discard)
	}()
	re := regexp.MustCompile(`NBI on (http://127\.0\.0\.1:\d+), file server on http://127\.0\.0\.1:\d+, 3 devices`)
	require.Eventually(t, func() bool { return re.MatchString(out.String()) }, 5*time.Second, 10*time.Millisecond)
	nbi := re.FindStringSubmatch(out.String())[1]
	require.Eventually(t, func() bool {
		resp, err := http.Head(nbi + "/devices/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.Header.Get("total") == "3"
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop when its context ended")
	}
}
