package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fyberpay/cpe/internal/dbtest"
)

// ownServer is a test's own FyberPay (a database, an address, the keys)
// for tests that stop or kill it, apart from the suite's: its
// environment (env added), its base URL, its database's URL, and run,
// which runs a CLI command against it and fails the test on an error.
type ownServer struct {
	env         []string
	base, dbURL string
	t           *testing.T
}

func newOwnServer(t *testing.T, env ...string) *ownServer {
	t.Helper()
	dbURL, drop, err := dbtest.Create(context.Background())
	must(t, err)
	t.Cleanup(drop)
	port, err := freePort()
	must(t, err)
	base := "http://127.0.0.1:" + port
	s := &ownServer{t: t, base: base, dbURL: dbURL, env: append(os.Environ(), "DATABASE_URL="+dbURL, "HTTP_ADDR=127.0.0.1:"+port, "PUBLIC_URL="+base,
		"SESSION_KEYS=c2Vzc2lvbi1rZXktZm9yLWUyZS10ZXN0cy1vbmx5LTMyYnl0ZXMhIQ==",
		"ENCRYPTION_KEY=k1:ZW5jcnlwdGlvbi1rZXktZm9yLWUyZS10ZXN0cy0zMiE=")}
	s.env = append(s.env, env...)
	return s
}

// run runs a fyberpay command against the server's database.
func (s *ownServer) run(args ...string) string {
	s.t.Helper()
	return s.runIn("", args...)
}

// runIn is run with stdin.
func (s *ownServer) runIn(stdin string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(suite.bin, args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("fyberpay %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// orgWithKey migrates, creates an organization and returns an admin API
// key of it.
func (s *ownServer) orgWithKey(slug, name string) string {
	s.t.Helper()
	s.run("migrate")
	s.run("org", "create", "--slug", slug, "--name", name)
	lines := strings.Split(strings.TrimSpace(s.run("apikey", "create", "--org", slug, "--name", "e2e")), "\n")
	return lines[len(lines)-1]
}
