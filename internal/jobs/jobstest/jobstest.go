// Package jobstest helps tests that run River workers.
package jobstest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// ScheduleEvery is how often Scheduler looks for due jobs.
const ScheduleEvery = 20 * time.Millisecond

// Scheduler makes the database's scheduled and retryable River jobs
// available as they fall due, looking every ScheduleEvery until the test
// ends, with River's own scheduler query (unique jobs conflict the same
// way). River's scheduler does it every 5 s and its interval cannot be
// set: a job inserted to run in 200 ms (a task's follow job) or a retry
// would wait for up to 5 s more. Workers still fetch a job only once its
// scheduled_at has passed.
func Scheduler(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	exec := riverpgxv5.New(pool).GetExecutor()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(ScheduleEvery)
		defer tick.Stop()
		for {
			// Like River's scheduler, look one interval ahead.
			ahead := time.Now().Add(ScheduleEvery)
			if _, err := exec.JobSchedule(ctx, &riverdriver.JobScheduleParams{Max: 10_000, Now: &ahead}); err != nil && ctx.Err() == nil {
				t.Errorf("jobstest: schedule due jobs: %v", err)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
