package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/metrics"
)

// Measure is River middleware recording each job attempt's kind, outcome
// (ok, error, snoozed, cancelled, panic) and duration.
type Measure struct {
	river.MiddlewareDefaults
	Metrics *metrics.Metrics
}

var _ rivertype.WorkerMiddleware = (*Measure)(nil)

// Work implements rivertype.WorkerMiddleware.
func (m *Measure) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	start := time.Now()
	defer func() {
		outcome := "ok"
		var (
			snooze *rivertype.JobSnoozeError
			cancel *rivertype.JobCancelError
		)
		if r := recover(); r != nil {
			outcome = "panic"
			defer panic(r) // River records it as it would have
		} else {
			switch {
			case err == nil:
			case errors.As(err, &snooze):
				outcome = "snoozed"
			case errors.As(err, &cancel):
				outcome = "cancelled"
			default:
				outcome = "error"
			}
		}
		m.Metrics.Job(job.Kind, outcome, time.Since(start))
	}()
	return doInner(ctx)
}

// String names the middleware in River's logs.
func (m *Measure) String() string { return fmt.Sprintf("jobs.Measure(%p)", m.Metrics) }
