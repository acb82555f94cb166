package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/org"
)

// TestExtScriptNode runs the GenieACS ext script's own tests (Node's
// built-in runner, provisions/ext/fyberpay.test.js) against the running
// fyberpay binary: the same HTTP path GenieACS uses.
func TestExtScriptNode(t *testing.T) {
	t.Parallel()
	if suite.skip != "" {
		t.Skip("e2e suite unavailable: " + suite.skip)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required for the ext script test (Node 20+)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, suite.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// An inventory device of acme, registered by its label (already there
	// on a second run); the test identifies it by its hex form.
	acme, err := org.BySlug(ctx, conn, orgSlug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cpetest.Insert(ctx, conn, cpetest.Device{OrgID: &acme.ID, Serial: "HWTCE2E00001"}); err != nil && !errors.Is(err, db.ErrConflict) {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "fyberpay.test.js")
	cmd.Dir = "../provisions/ext"
	cmd.Env = append(os.Environ(), "FYBERPAY_URL="+suite.baseURL, "FYBERPAY_INTERNAL_KEY="+internalKey)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("ext script tests failed: %v", err)
	}
}
