package page_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestSystemPageWithoutGenieACS(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.LoggedIn(t, b.AdminA)
	p := br.Get("/admin/system")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("genieacs-off").Length())
	require.Equal(t, 1, p.TestID("bootstrap-never").Length())
	require.Equal(t, "0", p.TestID("pending-count").Text())

	p = br.Post("/admin/system/bootstrap", nil)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, "nothing to bootstrap without GENIEACS_NBI_URL")

	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.TechA).Get("/admin/system").Status)
	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.ViewerA).Post("/admin/system/bootstrap", nil).Status)

	r := b.API(t, http.MethodGet, "/readyz", "", "")
	require.Equal(t, "not configured", r.Body["genieacs"])
}
