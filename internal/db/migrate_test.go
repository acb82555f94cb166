package db_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/migrations"
)

// Migration 00009 moves webhook endpoints subscribed to the foundation's
// cpe.fault topic to fault.raised, once, keeping their other topics.
func TestMigrationRenamesTheFaultTopic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sqlDB := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { _ = sqlDB.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, goose.WithTableName("schema_migrations"))
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 8)
	require.NoError(t, err)

	insert := func(db *sql.DB, topics string) string {
		var id string
		require.NoError(t, db.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (org_id, url, secret_enc, secret_key_id, topics)
			SELECT id, 'https://hooks.example.net/x', '\x00', 'k1', $1::text[] FROM organizations LIMIT 1 RETURNING id`, topics).Scan(&id))
		return id
	}
	_, err = sqlDB.ExecContext(ctx, `INSERT INTO organizations (slug, name) VALUES ('acme', 'Acme')`)
	require.NoError(t, err)
	old := insert(sqlDB, `{cpe.claimed,cpe.fault}`)
	both := insert(sqlDB, `{cpe.fault,fault.raised}`)
	other := insert(sqlDB, `{cpe.assigned}`)

	_, err = p.UpTo(ctx, 9)
	require.NoError(t, err)
	topics := func(id string) string {
		var s string
		require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT topics::text FROM webhook_endpoints WHERE id = $1`, id).Scan(&s))
		return s
	}
	require.Equal(t, "{cpe.claimed,fault.raised}", topics(old))
	require.Equal(t, "{fault.raised}", topics(both), "not twice")
	require.Equal(t, "{cpe.assigned}", topics(other))
}
