package cpe

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/db"
)

// contacts writes identify's contact times behind: a known device's
// identify is then a read, and a burst of BOOTSTRAPs costs one UPDATE per
// flush instead of one commit per device. It also queues the re-judging
// of an owned device's push state after its BOOTSTRAP (the bootstrap
// provision has just applied the desired state: a push job checks what
// the device took). Until StartContactBatching runs, each is written at
// once.
type contacts struct {
	pool    *pgxpool.Pool
	rejudge func(ctx context.Context, ids []uuid.UUID) error

	mu           sync.Mutex
	batched      bool
	pending      map[uuid.UUID]time.Time
	bootstrapped map[uuid.UUID]struct{}
	calls        map[callKey]callCount
}

// callKey and callCount tally identify calls per minute and outcome.
type callKey struct {
	minute  time.Time
	outcome string
}

type callCount struct {
	n    int64
	last time.Time
	from string // the last call's client address
}

// Identify outcomes as tallied in identify_calls (besides an answer's
// status: pending, claimed, assigned).
const (
	OutcomeRefused  = "refused"   // a request identify could not take (bad input)
	OutcomeWrongKey = "wrong_key" // missing or wrong internal key
)

// noteCall tallies one identify call by outcome and client address.
func (c *contacts) noteCall(ctx context.Context, outcome, from string) {
	now := time.Now()
	k := callKey{minute: now.Truncate(time.Minute), outcome: outcome}
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[callKey]callCount{}
	}
	cc := c.calls[k]
	cc.n++
	cc.last, cc.from = now, from[:min(len(from), 64)]
	c.calls[k] = cc
	batched := c.batched
	c.mu.Unlock()
	if !batched {
		_ = c.flush(ctx) // best effort: a lost count costs a figure on the Integration page
	}
}

// writeCalls adds tallied calls to identify_calls.
func (c *contacts) writeCalls(ctx context.Context, calls map[callKey]callCount) error {
	minutes, outcomes := make([]time.Time, 0, len(calls)), make([]string, 0, len(calls))
	ns, lasts := make([]int64, 0, len(calls)), make([]time.Time, 0, len(calls))
	froms := make([]string, 0, len(calls))
	for k, v := range calls {
		minutes, outcomes, ns, lasts = append(minutes, k.minute), append(outcomes, k.outcome), append(ns, v.n), append(lasts, v.last)
		froms = append(froms, v.from)
	}
	_, err := c.pool.Exec(ctx, `INSERT INTO identify_calls AS c (minute, outcome, calls, last_at, last_from)
		SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[])
		ON CONFLICT (minute, outcome) DO UPDATE SET calls = c.calls + EXCLUDED.calls, last_at = GREATEST(c.last_at, EXCLUDED.last_at),
			last_from = CASE WHEN EXCLUDED.last_at >= c.last_at THEN EXCLUDED.last_from ELSE c.last_from END`,
		minutes, outcomes, ns, lasts, froms)
	return err
}

// noteBootstrap queues a re-judging of an owned device's push state.
func (c *contacts) noteBootstrap(ctx context.Context, id uuid.UUID) {
	c.mu.Lock()
	if c.batched {
		c.bootstrapped[id] = struct{}{}
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	_ = c.rejudge(ctx, []uuid.UUID{id}) // best effort, as the contact time: identify answers regardless
}

// note records that device id made contact now.
func (c *contacts) note(ctx context.Context, id uuid.UUID) {
	now := time.Now()
	c.mu.Lock()
	if c.batched {
		c.pending[id] = now
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	_ = c.write(ctx, []uuid.UUID{id}, []time.Time{now}) // best effort: a lost contact time costs nothing
}

// flush writes what is pending in one statement (and the re-judgings in
// another).
func (c *contacts) flush(ctx context.Context) error {
	c.mu.Lock()
	ids := make([]uuid.UUID, 0, len(c.pending))
	ats := make([]time.Time, 0, len(c.pending))
	for id, at := range c.pending {
		ids, ats = append(ids, id), append(ats, at)
	}
	clear(c.pending)
	boots := make([]uuid.UUID, 0, len(c.bootstrapped))
	for id := range c.bootstrapped {
		boots = append(boots, id)
	}
	clear(c.bootstrapped)
	calls := c.calls
	c.calls = nil
	c.mu.Unlock()
	// Each write on its own: one failing does not cost the others.
	var errs []error
	if len(ids) > 0 {
		errs = append(errs, c.write(ctx, ids, ats))
	}
	if len(boots) > 0 {
		errs = append(errs, c.rejudge(ctx, boots))
	}
	if len(calls) > 0 {
		errs = append(errs, c.writeCalls(ctx, calls))
	}
	return errors.Join(errs...)
}

// write upserts contact times. Its commit does not wait for the WAL flush:
// a crash may forget the last moments' contact times, which costs nothing,
// and the identify path never waits on a disk.
func (c *contacts) write(ctx context.Context, ids []uuid.UUID, ats []time.Time) error {
	return db.InTx(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO cpe_contacts AS c (device_id, last_identified_at)
			SELECT v.id, v.at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
			WHERE EXISTS (SELECT 1 FROM cpe_devices d WHERE d.id = v.id)
			ON CONFLICT (device_id) DO UPDATE SET last_identified_at = GREATEST(c.last_identified_at, EXCLUDED.last_identified_at)`, ids, ats)
		return err
	})
}

// StartContactBatching writes contact times every interval until ctx ends,
// then once more. The returned function waits for that last write.
func (s *Service) StartContactBatching(ctx context.Context, every time.Duration, logger *slog.Logger) (wait func()) {
	c := s.contacts
	c.mu.Lock()
	c.batched, c.pending, c.bootstrapped = true, map[uuid.UUID]time.Time{}, map[uuid.UUID]struct{}{}
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if err := c.flush(ctx); err != nil && ctx.Err() == nil {
					logger.Warn("write identify contact times", "err", err)
				}
			case <-ctx.Done():
				fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if err := c.flush(fctx); err != nil {
					logger.Warn("write identify contact times at shutdown", "err", err)
				}
				cancel()
				return
			}
		}
	}()
	return func() { <-done }
}
