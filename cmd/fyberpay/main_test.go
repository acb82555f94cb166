package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/subscriber/subscribertest"
	"github.com/fyberpay/cpe/migrations"
)

// cli runs the command line as an operator would, against a fresh database.
type cli struct {
	t   *testing.T
	env map[string]string
}

func (c cli) run(stdin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) (string, bool) { v, ok := c.env[k]; return v, ok },
		strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func TestCLI(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewDBWithURL(t)
	c := cli{t: t, env: map[string]string{"DATABASE_URL": url, "PASSWORD_HASH_MEMORY_KIB": "1024",
		"ENCRYPTION_KEY": "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))}}

	out, err := c.run("", "migrate")
	require.NoError(t, err)
	require.Contains(t, out, fmt.Sprintf("schema version %d", latestMigration(t)))

	out, err = c.run("", "org", "create", "--slug", "acme", "--name", "Acme Fibre")
	require.NoError(t, err)
	require.Contains(t, out, "created organization acme")

	t.Run("DuplicateSlug", func(t *testing.T) {
		_, err := c.run("", "org", "create", "--slug", "acme", "--name", "Again")
		require.EqualError(t, err, "organization slug already exists: acme")
	})
	t.Run("BadSlug", func(t *testing.T) {
		_, err := c.run("", "org", "create", "--slug", "Not OK", "--name", "X")
		require.ErrorContains(t, err, "slug")
	})
	t.Run("MissingFlag", func(t *testing.T) {
		_, err := c.run("", "org", "create", "--slug", "x-y-z")
		require.EqualError(t, err, "org create: --name is required")
	})

	out, err = c.run("s3cret-password-1\n", "user", "create", "--org", "acme", "--email", "noc@acme.example", "--role", "owner")
	require.NoError(t, err)
	require.Contains(t, out, "created user noc@acme.example (owner)")
	require.NotContains(t, out, "s3cret")

	t.Run("UnknownOrg", func(t *testing.T) {
		_, err := c.run("s3cret-password-1\n", "user", "create", "--org", "nope", "--email", "a@b.example", "--role", "admin")
		require.EqualError(t, err, `unknown organization "nope"`)
	})
	t.Run("BadRole", func(t *testing.T) {
		_, err := c.run("s3cret-password-1\n", "user", "create", "--org", "acme", "--email", "a@b.example", "--role", "root")
		require.ErrorContains(t, err, "role: must be one of owner, admin, technician, viewer")
		require.NotContains(t, oneLine(err), "\n")
	})
	t.Run("NoPasswordOnStdin", func(t *testing.T) {
		_, err := c.run("", "user", "create", "--org", "acme", "--email", "a@b.example", "--role", "admin")
		require.ErrorContains(t, err, "stdin")
	})

	out, err = c.run("", "apikey", "create", "--org", "acme", "--name", "billing")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Regexp(t, `^fpk_[a-z2-7]{12}_[a-z2-7]{32}$`, lines[len(lines)-1], "the key alone on the last line")

	t.Run("UnknownOrgForKey", func(t *testing.T) {
		_, err := c.run("", "apikey", "create", "--org", "nope", "--name", "x")
		require.EqualError(t, err, `unknown organization "nope"`)
	})

	t.Run("DemoIsIdempotent", func(t *testing.T) {
		out1, err := c.run("", "demo", "--password", "first-demo-pass", "--sim-devices", "10")
		require.NoError(t, err)
		require.Contains(t, out1, "owner@demo.fyberpay.test")
		require.Contains(t, out1, "8 simulated devices in the inventory (3 assigned), 2 left pending")
		out2, err := c.run("", "demo", "--sim-devices", "10")
		require.NoError(t, err)
		require.Contains(t, out2, "password: ")
		require.NotContains(t, out2, "first-demo-pass", "a re-run prints the password now in force")
		require.Contains(t, out1, "subscribers achieng, baraka, chausiku")
		var subs, plans int
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM subscribers s JOIN organizations o ON o.id = s.org_id WHERE o.slug = 'demo'),
			(SELECT count(*) FROM plans)`).Scan(&subs, &plans))
		withPassword, err := subscribertest.WithPassword(context.Background(), pool)
		require.NoError(t, err)
		require.Equal(t, []int{3, 3, 2}, []int{subs, withPassword, plans}, "seeded once, not again on the re-run")
		require.NotContains(t, out2, "simulated devices", "the inventory is not imported again")
		var devices, assigned int
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*), count(subscriber_id) FROM cpe_devices d
			JOIN organizations o ON o.id = d.org_id WHERE o.slug = 'demo'`).Scan(&devices, &assigned))
		require.Equal(t, []int{8, 3}, []int{devices, assigned})
	})

	t.Run("NoDatabaseURL", func(t *testing.T) {
		bare := cli{t: t, env: map[string]string{}}
		_, err := bare.run("", "migrate")
		require.ErrorContains(t, err, "DATABASE_URL")
	})
	t.Run("UnknownCommand", func(t *testing.T) {
		_, err := c.run("", "frobnicate")
		var ue usageError
		require.ErrorAs(t, err, &ue)
	})
	t.Run("ServeStopsOnBadConfig", func(t *testing.T) {
		_, err := c.run("", "serve")
		require.EqualError(t, err, "config: SESSION_KEYS is required: one or more comma-separated base64 keys of at least 32 bytes (openssl rand -base64 32)")
	})
}

func TestRiverLogsWarningsUnlessDebugging(t *testing.T) {
	t.Parallel()
	for level, want := range map[string]string{"": "warn", "info": "warn", "debug": "debug", "warn": "warn", "error": "error"} {
		require.Equal(t, want, riverLogLevel(level), "LOG_LEVEL=%q", level)
	}
	var buf strings.Builder
	l := newLogger(&buf, riverLogLevel("info"))
	l.Info("River producer: Producer job counts")
	l.Warn("River: something is wrong")
	require.NotContains(t, buf.String(), "job counts")
	require.Contains(t, buf.String(), "something is wrong")
}

// latestMigration is the highest NNNNN of migrations/NNNNN_name.sql.
func latestMigration(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	require.NoError(t, err)
	latest := 0
	for _, f := range files {
		n, err := strconv.Atoi(f[:strings.IndexByte(f, '_')])
		require.NoError(t, err, f)
		latest = max(latest, n)
	}
	require.Positive(t, latest)
	return latest
}

// With GenieACS at GENIEACS_NBI_URL (the simulator `make run` starts
// first), demo uploads one firmware image per simulated model, once.
func TestDemoFirmware(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewDBWithURL(t)
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 1, Seed: 1})
	c := cli{t: t, env: map[string]string{"DATABASE_URL": url, "PASSWORD_HASH_MEMORY_KIB": "1024",
		"ENCRYPTION_KEY": "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), "GENIEACS_NBI_URL": sim.NBIURL}}
	_, err := c.run("", "migrate")
	require.NoError(t, err)
	out, err := c.run("", "demo", "--sim-devices", "20")
	require.NoError(t, err)
	same, err := acssim.New(acssim.Options{Devices: 20, Seed: 1}) // the simulator `make run` starts
	require.NoError(t, err)
	t.Cleanup(same.Close)
	distinct := map[string]bool{}
	for _, id := range same.DeviceIDs() {
		distinct[strings.SplitN(id, "-", 3)[1]] = true
	}
	models := len(distinct)
	require.Greater(t, models, 1)
	require.Contains(t, out, fmt.Sprintf("%d firmware images (one per simulated model, version DEMO-2026.12)", models))
	rows, err := pool.Query(context.Background(), `SELECT stored_name, product_class FROM firmware_images WHERE state = 'ready'`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		var stored, pc string
		require.NoError(t, rows.Scan(&stored, &pc))
		meta, size, ok := sim.File(stored)
		require.True(t, ok, "%s is in GenieACS", stored)
		require.Equal(t, pc, meta.ProductClass)
		require.Equal(t, "DEMO-2026.12", meta.Version)
		require.Equal(t, int64(2<<20), size)
		n++
	}
	require.NoError(t, rows.Err())
	require.Equal(t, models, n)
	out, err = c.run("", "demo", "--sim-devices", "20")
	require.NoError(t, err)
	require.NotContains(t, out, "firmware images", "not uploaded again")
}

// The demo's fleet mix (--sim-profiles, as make run passes the simulator):
// its plain IP gateways join the inventory but take no PPPoE login, so the
// three demo subscribers are on devices that can dial; a malformed mix is
// refused.
func TestDemoProfilesLeaveGatewaysUnassigned(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewDBWithURL(t)
	c := cli{t: t, env: map[string]string{"DATABASE_URL": url, "PASSWORD_HASH_MEMORY_KIB": "1024",
		"ENCRYPTION_KEY": "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))}}
	_, err := c.run("", "migrate")
	require.NoError(t, err)
	_, err = c.run("", "demo", "--sim-devices", "20", "--sim-profiles", "tenda")
	require.ErrorContains(t, err, "--profiles")
	out, err := c.run("", "demo", "--sim-devices", "20", "--sim-profiles", "tenda-n301=1,huawei-hg8245h=1")
	require.NoError(t, err)
	require.Contains(t, out, "(3 assigned)")
	var gateways, gatewaysAssigned int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*), count(subscriber_id) FROM cpe_devices WHERE serial_norm LIKE 'N301%'`).
		Scan(&gateways, &gatewaysAssigned))
	require.Positive(t, gateways, "the mix has gateways")
	require.Zero(t, gatewaysAssigned)
}
