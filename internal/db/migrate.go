package db

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/fyberpay/cpe/migrations"
)

// MigrateResult says what Migrate applied.
type MigrateResult struct {
	AppApplied   int
	AppVersion   int64
	RiverApplied int
}

// Migrate applies River's migrations, then ours. A Postgres advisory lock
// keeps replicas starting together from racing.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (MigrateResult, error) {
	var res MigrateResult
	rm, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return res, fmt.Errorf("river migrator: %w", err)
	}
	rr, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("river migrations: %w", err)
	}
	res.RiverApplied = len(rr.Versions)

	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return res, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithTableName("schema_migrations"))
	if err != nil {
		return res, fmt.Errorf("migration provider: %w", err)
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("apply migrations: %w", err)
	}
	res.AppApplied = len(applied)
	if res.AppVersion, err = p.GetDBVersion(ctx); err != nil {
		return res, fmt.Errorf("read schema version: %w", err)
	}
	return res, nil
}
