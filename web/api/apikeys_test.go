package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAPIKeysCRUD(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyA, `{"name":"crm","role":"technician"}`)
	require.Equal(t, http.StatusCreated, r.Status)
	id, key := r.Body["id"].(string), r.Body["key"].(string)
	require.Equal(t, "technician", r.Body["role"])

	r = b.API(t, http.MethodGet, "/cpe/api-keys", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Items(), 3, "acme's admin and viewer keys plus the new one")
	require.NotContains(t, r.Raw, key, "lists never carry the key")
	require.NotContains(t, r.Raw, "key_hash")

	r = b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyA, `{"name":"","role":"owner"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "name")
	require.Contains(t, r.ErrFields(), "role")

	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/me", key, "").Status)
	r = b.API(t, http.MethodDelete, "/cpe/api-keys/"+id, b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotNil(t, r.Body["revokedAt"])
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/me", key, "").Status)
	require.Equal(t, http.StatusOK, b.API(t, http.MethodPost, "/cpe/api-keys/"+id+"/revoke", b.KeyA, "").Status, "revoking twice is harmless")
}
