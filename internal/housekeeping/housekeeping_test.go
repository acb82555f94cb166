package housekeeping_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/housekeeping"
	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestWorkerDeletesWhatExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	o := testfactory.Org(ctx, t, pool, nil)
	u := testfactory.User(ctx, t, pool, o, nil)
	for _, q := range []string{
		`INSERT INTO sessions (token_hash, user_id, org_id, expires_at) VALUES ('\x01', $1, $2, now() - interval '1 minute')`,
		`INSERT INTO sessions (token_hash, user_id, org_id, expires_at) VALUES ('\x02', $1, $2, now() + interval '1 hour')`,
	} {
		_, err := pool.Exec(ctx, q, u.ID, o.ID)
		require.NoError(t, err)
	}
	_, err := pool.Exec(ctx, `INSERT INTO login_failures (key, failures, window_start) VALUES ('ip:old', 3, now() - interval '2 hours'), ('ip:new', 3, now())`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO outbox_events (org_id, topic, payload, created_at, dispatched_at) VALUES
		($1, 'cpe.claimed', '{}', now() - interval '40 days', now() - interval '40 days'),
		($1, 'cpe.claimed', '{}', now() - interval '40 days', NULL),
		($1, 'cpe.claimed', '{}', now(), now())`, o.ID)
	require.NoError(t, err)

	_, err = pool.Exec(ctx, `INSERT INTO identify_calls (minute, outcome, calls, last_at) VALUES
		(date_trunc('minute', now() - interval '8 days'), 'assigned', 5, now() - interval '8 days'),
		(date_trunc('minute', now()), 'assigned', 2, now())`)
	require.NoError(t, err)

	w := rivertest.NewWorker(t, riverpgxv5.New(pool), &river.Config{}, &housekeeping.Worker{Pool: pool, Logger: slog.New(slog.DiscardHandler)})
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	res, err := w.Work(ctx, t, tx, housekeeping.Args{}, nil)
	require.NoError(t, err)
	require.Equal(t, "completed", string(res.Job.State))

	var sessions, failures, events, calls int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM login_failures), (SELECT count(*) FROM outbox_events),
		(SELECT count(*) FROM identify_calls)`).Scan(&sessions, &failures, &events, &calls))
	require.Equal(t, 1, sessions, "the live session stays")
	require.Equal(t, 1, failures, "the current failure window stays")
	require.Equal(t, 2, events, "undispatched and recent events stay")
	require.Equal(t, 1, calls, "identify tallies are kept a week")
}
