package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSystemPageWithoutGenieACS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.loggedIn(t, b.adminA)
	p := br.get("/admin/system")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, 1, p.testid("genieacs-off").Length())
	require.Equal(t, 1, p.testid("bootstrap-never").Length())
	require.Equal(t, "0", p.testid("pending-count").Text())

	p = br.post("/admin/system/bootstrap", nil)
	require.Equal(t, http.StatusUnprocessableEntity, p.status, "nothing to bootstrap without GENIEACS_NBI_URL")

	require.Equal(t, http.StatusForbidden, b.loggedIn(t, b.techA).get("/admin/system").status)
	require.Equal(t, http.StatusForbidden, b.loggedIn(t, b.viewerA).post("/admin/system/bootstrap", nil).status)

	r := b.api(t, http.MethodGet, "/readyz", "", "")
	require.Equal(t, "not configured", r.body["genieacs"])
}
