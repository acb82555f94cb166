package user

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alexedwards/argon2id"
)

// BenchmarkPasswordHash is the CPU and memory cost of one login check with
// the production argon2id parameters (64 MiB, 2 passes, 1 lane): it bounds
// logins per second per core, which is why failures are throttled before
// hashing.
func BenchmarkPasswordHash(b *testing.B) {
	p := NewService(nil, 64*1024, Limits{}).hash.params
	h, err := argon2id.CreateHash("correct-horse-battery", p)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := argon2id.ComparePasswordAndHash("correct-horse-battery", h); err != nil || !ok {
			b.Fatal("mismatch")
		}
	}
}

// BenchmarkLoginBurst200 fires 200 concurrent sign-ins with unknown
// e-mails from 200 addresses (no account needed, no per-account lock
// applies) at the production argon2id cost, and reports the process's peak
// RSS during the burst (target: at most 300 MiB), how many were verified
// and how many were refused as busy without hashing.
func BenchmarkLoginBurst200(b *testing.B) {
	s, _, _ := loginFixture(b, 64*1024, Limits{})
	ctx := context.Background()
	var peak, verified, busy, other int64
	debug.FreeOSMemory() // the set-up's own hashing is not the burst's
	resetPeakRSS(b)
	base := peakRSS(b)
	round := 0
	for b.Loop() {
		round++
		resetPeakRSS(b)
		var wg sync.WaitGroup
		var nVerified, nBusy, nOther atomic.Int64
		start := make(chan struct{})
		for i := range 200 {
			wg.Go(func() {
				<-start
				_, err := s.Authenticate(ctx, fmt.Sprintf("nobody-%d-%d@burst.example", round, i), "wrong-password",
					fmt.Sprintf("10.%d.%d.%d", round%250, i/250, i%250))
				switch {
				case errors.Is(err, ErrBadCredentials):
					nVerified.Add(1)
				case errors.Is(err, ErrBusy):
					nBusy.Add(1)
				default:
					nOther.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		peak = max(peak, peakRSS(b))
		verified += nVerified.Load()
		busy += nBusy.Load()
		other += nOther.Load()
	}
	if other > 0 {
		b.Fatalf("%d sign-ins ended neither verified nor busy", other)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(base)/(1<<20), "RSS-before-MiB")
	b.ReportMetric(float64(verified)/float64(round), "verified/burst")
	b.ReportMetric(float64(busy)/float64(round), "busy/burst")
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS
// (VmHWM), so peakRSS reads the peak since this call.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset peak RSS: %v", err)
	}
}

// peakRSS is VmHWM in bytes.
func peakRSS(b *testing.B) int64 {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
