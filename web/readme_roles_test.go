package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/webtest"
)

// The README's page table says who may open each page; every role of the
// operator organization (and a tenant's admin, for operator pages) opens
// each page without an id and gets what the table says.
func TestReadmePageRolesAreTrue(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	text := string(raw)
	start := strings.Index(text, "| page | who | what |")
	require.NotEqual(t, -1, start, "the README's page table")
	table := text[start:]
	table = table[:strings.Index(table, "\n\n")]
	row := regexp.MustCompile("^\\| `(/[^`]*)` \\| ([^|]+) \\|")

	b := webtest.Setup(t)
	roles := map[string]user.User{"owner": b.OwnerA, "admin": b.AdminA, "technician": b.TechA, "viewer": b.ViewerA}
	browsers := map[string]*webtest.Browser{}
	for name, u := range roles {
		browsers[name] = b.LoggedIn(t, u)
	}
	tenantAdmin := b.LoggedIn(t, b.AdminB)
	checked := 0
	for _, line := range strings.Split(table, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		path, who := m[1], strings.TrimSpace(m[2])
		if strings.Contains(path, ":") || who == "everyone" {
			continue // pages of one object; the sign-in page
		}
		var allowed []string
		operatorOnly := false
		switch who {
		case "staff":
			allowed = []string{"owner", "admin", "technician", "viewer"}
		case "owner, admin":
			allowed = []string{"owner", "admin"}
		case "owner, admin of the operator organization":
			allowed, operatorOnly = []string{"owner", "admin"}, true
		default:
			t.Fatalf("README %s: unknown who %q", path, who)
		}
		for name, br := range browsers {
			p := br.Get(path)
			ok := p.Status < 400
			want := false
			for _, a := range allowed {
				want = want || a == name
			}
			require.Equal(t, want, ok, "README says %q may open %s; %s got %d", who, path, name, p.Status)
			if !want {
				require.Equal(t, http.StatusForbidden, p.Status, "%s as %s", path, name)
			}
		}
		if operatorOnly {
			require.Equal(t, http.StatusForbidden, tenantAdmin.Get(path).Status, "%s as a tenant's admin", path)
		}
		checked++
	}
	require.GreaterOrEqual(t, checked, 12, "the table was read")
}
