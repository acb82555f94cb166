package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/genieacs"
)

// Defaults of BreakerSnooze.
const (
	DefaultBreakerSnooze    = 15 * time.Second
	DefaultBreakerSnoozeMax = 2 * time.Minute
)

// breakerSnoozesKey is the job metadata key counting a job's consecutive
// snoozes for an open breaker.
const breakerSnoozesKey = "genieacs_breaker_snoozes"

// BreakerSnooze is the worker middleware for every job that calls
// GenieACS: a job whose work fails with an error wrapping
// genieacs.ErrCircuitOpen is snoozed (no attempt used, no error recorded)
// instead of failed, and runs again once the breaker lets calls through.
//
// The wait is Base × 2^n, capped at Max, where n is how many times in a row
// the job was already snoozed for the breaker (kept in the job's metadata;
// any other outcome resets it): 15 s, 30 s, 1 min, 2 min, 2 min, … by
// default. Workers return such errors as they are; a snooze or cancel a
// worker chose itself passes through untouched.
type BreakerSnooze struct {
	river.MiddlewareDefaults
	// Base is the first wait (default 15 s).
	Base time.Duration
	// Max caps the wait (default 2 min, never below Base).
	Max time.Duration
}

var _ rivertype.WorkerMiddleware = (*BreakerSnooze)(nil)

// Delay is the wait after n consecutive breaker snoozes.
func (m *BreakerSnooze) Delay(n int) time.Duration {
	base, limit := m.Base, m.Max
	if base <= 0 {
		base = DefaultBreakerSnooze
	}
	if limit <= 0 {
		limit = DefaultBreakerSnoozeMax
	}
	limit = max(limit, base)
	d := base
	for range max(n, 0) {
		if d >= limit {
			break
		}
		d *= 2
	}
	return min(d, limit)
}

// Work implements rivertype.WorkerMiddleware.
func (m *BreakerSnooze) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	err := doInner(ctx)
	n := breakerSnoozes(job.Metadata)
	var (
		snooze *rivertype.JobSnoozeError
		cancel *rivertype.JobCancelError
	)
	if err == nil || errors.As(err, &snooze) || errors.As(err, &cancel) || !errors.Is(err, genieacs.ErrCircuitOpen) {
		if n > 0 {
			_ = river.MetadataSet(ctx, breakerSnoozesKey, 0) // GenieACS answered (or was not asked)
		}
		return err
	}
	if serr := river.MetadataSet(ctx, breakerSnoozesKey, n+1); serr != nil {
		return errors.Join(err, serr) // not inside a worker: cannot happen under River
	}
	return river.JobSnooze(m.Delay(n))
}

// breakerSnoozes reads the consecutive breaker snoozes from job metadata.
func breakerSnoozes(metadata []byte) int {
	var md map[string]json.RawMessage
	if json.Unmarshal(metadata, &md) != nil {
		return 0
	}
	var n int
	if raw, ok := md[breakerSnoozesKey]; !ok || json.Unmarshal(raw, &n) != nil {
		return 0
	}
	return n
}
