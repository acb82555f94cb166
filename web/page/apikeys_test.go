package page_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAPIKeysPage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/api-keys")

	p := br.Post("/api-keys", url.Values{"name": {""}, "role": {"owner"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Equal(t, "is required", p.TestID("error-name").Text())
	require.NotEmpty(t, p.TestID("error-role").Text())

	p = br.Post("/api-keys", url.Values{"name": {"billing"}, "role": {"viewer"}})
	require.Equal(t, http.StatusCreated, p.Status)
	key := p.TestID("new-key-value").Text()
	require.Regexp(t, `^fpk_[a-z2-7]{12}_[a-z2-7]{32}$`, key)
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))

	r := b.API(t, http.MethodGet, "/cpe/me", key, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "viewer", r.Body["role"])
	require.Equal(t, b.OrgA.ID.String(), r.Body["organizationId"])

	p = br.Get("/api-keys")
	require.NotContains(t, p.Body, key, "the key is shown once only")
	row := p.TestID("key-row-billing")
	require.Contains(t, row.Text(), key[4:16], "the prefix is listed")
	require.Contains(t, row.Text(), "2026", "last used is set after the call")

	id := row.AttrOr("id", "")[len("key-"):]
	p = br.HTMX("/api-keys/"+id+"/revoke", nil)
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "revoked", p.TestID("key-status").Text())
	r = b.API(t, http.MethodGet, "/cpe/me", key, "")
	require.Equal(t, http.StatusUnauthorized, r.Status, "a revoked key stops working")
	require.Equal(t, "unauthorized", r.ErrCode())

	t.Run("WrongRoleAndOtherOrg", func(t *testing.T) {
		vb := b.LoggedIn(t, b.ViewerA)
		require.Equal(t, http.StatusForbidden, vb.Get("/api-keys").Status)
		ob := b.LoggedIn(t, b.AdminB)
		require.Equal(t, http.StatusNotFound, ob.Post("/api-keys/"+b.KeyAID.ID.String()+"/revoke", nil).Status)
		require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/me", b.KeyA, "").Status, "still active")
	})
}
