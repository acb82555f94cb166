package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIKeysPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.loggedIn(t, b.adminA)
	br.get("/api-keys")

	p := br.post("/api-keys", url.Values{"name": {""}, "role": {"owner"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.Equal(t, "is required", p.testid("error-name").Text())
	require.NotEmpty(t, p.testid("error-role").Text())

	p = br.post("/api-keys", url.Values{"name": {"billing"}, "role": {"viewer"}})
	require.Equal(t, http.StatusCreated, p.status)
	key := p.testid("new-key-value").Text()
	require.Regexp(t, `^fpk_[a-z2-7]{12}_[a-z2-7]{32}$`, key)
	require.Equal(t, "no-store", p.header.Get("Cache-Control"))

	r := b.api(t, http.MethodGet, "/cpe/me", key, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "viewer", r.body["role"])
	require.Equal(t, b.orgA.ID.String(), r.body["organizationId"])

	p = br.get("/api-keys")
	require.NotContains(t, p.body, key, "the key is shown once only")
	row := p.testid("key-row-billing")
	require.Contains(t, row.Text(), key[4:16], "the prefix is listed")
	require.Contains(t, row.Text(), "2026", "last used is set after the call")

	id := row.AttrOr("id", "")[len("key-"):]
	p = br.htmx("/api-keys/"+id+"/revoke", nil)
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, "revoked", p.testid("key-status").Text())
	r = b.api(t, http.MethodGet, "/cpe/me", key, "")
	require.Equal(t, http.StatusUnauthorized, r.status, "a revoked key stops working")
	require.Equal(t, "unauthorized", r.errCode())

	t.Run("WrongRoleAndOtherOrg", func(t *testing.T) {
		vb := b.loggedIn(t, b.viewerA)
		require.Equal(t, http.StatusForbidden, vb.get("/api-keys").status)
		ob := b.loggedIn(t, b.adminB)
		require.Equal(t, http.StatusNotFound, ob.post("/api-keys/"+b.keyAID.ID.String()+"/revoke", nil).status)
		require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, "/cpe/me", b.keyA, "").status, "still active")
	})
}
