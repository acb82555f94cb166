package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAPIUsersCRUD(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodGet, "/cpe/users", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Items(), 4, "acme's four staff")

	r = b.API(t, http.MethodPatch, "/cpe/users/"+b.TechA.ID.String(), b.KeyA, `{"role":"viewer","name":"Tech Two"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "viewer", r.Body["role"])
	require.Equal(t, "Tech Two", r.Body["name"])

	r = b.API(t, http.MethodPatch, "/cpe/users/"+b.TechA.ID.String(), b.KeyA, `{"role":"wizard"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "role")

	r = b.API(t, http.MethodPatch, "/cpe/users/"+b.OwnerA.ID.String(), b.KeyA, `{"disabled":true}`)
	require.Equal(t, http.StatusForbidden, r.Status, "an admin key cannot disable an owner")

	r = b.API(t, http.MethodPatch, "/cpe/users/"+b.TechA.ID.String(), b.KeyViewerA, `{"disabled":true}`)
	require.Equal(t, http.StatusForbidden, r.Status)

	r = b.API(t, http.MethodGet, "/cpe/users/not-a-uuid", b.KeyA, "")
	require.Equal(t, http.StatusNotFound, r.Status)
}
