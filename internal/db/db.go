// Package db opens the PostgreSQL pool, runs migrations and gives the domain
// packages their shared vocabulary: the executor interface, one transaction
// helper and the mapping of PostgreSQL errors to domain errors.
package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Executor is what stores run queries on: a pool or a transaction.
type Executor interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Beginner starts transactions; *pgxpool.Pool and pgx.Tx both are.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

var (
	// ErrNotFound means no row matched within the caller's organization.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint refused the write.
	ErrConflict = errors.New("conflict")
)

// Open connects a pool and checks the database answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return open(ctx, url, nil)
}

func open(ctx context.Context, url string, tune func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (max(4, cores)) starves concurrent commits; group
		// commit needs a few more connections in flight.
		cfg.MaxConns = 16
	}
	if !strings.Contains(url, "pool_min_conns") {
		cfg.MinConns = 2 // no connection set-up on the first requests
	}
	if tune != nil {
		tune(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database unreachable (%s): %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// InTx runs fn in a transaction, committing when fn returns nil.
func InTx(ctx context.Context, b Beginner, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, b, fn)
}

// MapErr turns pgx.ErrNoRows into ErrNotFound and unique violations into
// ErrConflict (wrapping the original so the constraint name is kept).
func MapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	}
	return err
}

// One runs sql on exec and scans its first row into a T by column name
// (pgx.RowToStructByName: every column has a field and every field not
// tagged db:"-" a column). No row is pgx.ErrNoRows, as QueryRow's.
func One[T any](ctx context.Context, exec Executor, sql string, args ...any) (T, error) {
	rows, err := exec.Query(ctx, sql, args...)
	if err != nil {
		var zero T
		return zero, err
	}
	return pgx.CollectOneRow(rows, pgx.RowToStructByName[T])
}
