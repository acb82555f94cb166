// Package dbtest gives tests a fresh, migrated PostgreSQL database each: a
// template database is built once per migration set (keyed by a hash of the
// embedded SQL files) and cloned per test with STRATEGY FILE_COPY.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/migrations"
)

// DefaultURL is the server tests use unless TEST_DATABASE_URL says otherwise.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	once     sync.Once
	tmplName string
	tmplErr  error
)

// ServerURL returns the URL of the maintenance database tests connect to.
func ServerURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return DefaultURL
}

// URLFor returns ServerURL with the database name replaced.
func URLFor(name string) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewDB creates a migrated database for this test, dropped at cleanup, and
// returns a pool on it.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewDBWithURL(t)
	return pool
}

// NewDBWithURL is NewDB that also returns the database's URL, for tests
// that start the real binary against it.
func NewDBWithURL(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	dbURL, drop, err := Create(ctx)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		drop()
		t.Fatalf("dbtest: pool: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		drop()
	})
	return pool, dbURL
}

// ensureTemplate builds the template database for the current migrations
// unless it exists. An advisory lock serialises parallel test binaries.
func ensureTemplate(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "fyberpay_tmpl_" + sum
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(727274)") //nolint:errcheck // released with the connection anyway

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	build := name + "_build"
	if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", build)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, URLFor(build))
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx, pool, nil)
	pool.Close()
	if err != nil {
		return "", err
	}
	for _, q := range []string{
		fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", build, name),
		fmt.Sprintf("ALTER DATABASE %s WITH IS_TEMPLATE true ALLOW_CONNECTIONS false", name),
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return "", err
		}
	}
	return name, nil
}

// migrationsHash identifies the schema: our SQL files plus River's own
// migration line, so a River upgrade rebuilds the template too.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", path, b)
		return nil
	})
	if err != nil {
		return "", err
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/riverqueue/river" {
				fmt.Fprintf(h, "river:%s", m.Version)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Create makes a fresh migrated database outside a test (TestMain) and
// returns its URL and a function that drops it.
func Create(ctx context.Context) (string, func(), error) {
	once.Do(func() { tmplName, tmplErr = ensureTemplate(ctx) })
	if tmplErr != nil {
		return "", nil, fmt.Errorf("test database template: %w (is PostgreSQL running on 127.0.0.1:5432? `make db-up`)", tmplErr)
	}
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return "", nil, err
	}
	defer admin.Close(ctx)
	name := "fyberpay_test_" + randHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY", name, tmplName)); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), ServerURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	}
	return URLFor(name), drop, nil
}
