package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIUsersCRUD(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodGet, "/cpe/users", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.items(), 4, "acme's four staff")

	r = b.api(t, http.MethodPatch, "/cpe/users/"+b.techA.ID.String(), b.keyA, `{"role":"viewer","name":"Tech Two"}`)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "viewer", r.body["role"])
	require.Equal(t, "Tech Two", r.body["name"])

	r = b.api(t, http.MethodPatch, "/cpe/users/"+b.techA.ID.String(), b.keyA, `{"role":"wizard"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.errFields(), "role")

	r = b.api(t, http.MethodPatch, "/cpe/users/"+b.ownerA.ID.String(), b.keyA, `{"disabled":true}`)
	require.Equal(t, http.StatusForbidden, r.status, "an admin key cannot disable an owner")

	r = b.api(t, http.MethodPatch, "/cpe/users/"+b.techA.ID.String(), b.keyViewerA, `{"disabled":true}`)
	require.Equal(t, http.StatusForbidden, r.status)

	r = b.api(t, http.MethodGet, "/cpe/users/not-a-uuid", b.keyA, "")
	require.Equal(t, http.StatusNotFound, r.status)
}

func TestAPIKeysCRUD(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodPost, "/cpe/api-keys", b.keyA, `{"name":"crm","role":"technician"}`)
	require.Equal(t, http.StatusCreated, r.status)
	id, key := r.body["id"].(string), r.body["key"].(string)
	require.Equal(t, "technician", r.body["role"])

	r = b.api(t, http.MethodGet, "/cpe/api-keys", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.items(), 3, "acme's admin and viewer keys plus the new one")
	require.NotContains(t, r.raw, key, "lists never carry the key")
	require.NotContains(t, r.raw, "key_hash")

	r = b.api(t, http.MethodPost, "/cpe/api-keys", b.keyA, `{"name":"","role":"owner"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.errFields(), "name")
	require.Contains(t, r.errFields(), "role")

	require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, "/cpe/me", key, "").status)
	r = b.api(t, http.MethodDelete, "/cpe/api-keys/"+id, b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.NotNil(t, r.body["revokedAt"])
	require.Equal(t, http.StatusUnauthorized, b.api(t, http.MethodGet, "/cpe/me", key, "").status)
	require.Equal(t, http.StatusOK, b.api(t, http.MethodPost, "/cpe/api-keys/"+id+"/revoke", b.keyA, "").status, "revoking twice is harmless")
}

func TestAPIWebhooksCRUD(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodPost, "/cpe/webhooks", b.keyA, `{"url":"https://billing.acme.example/h","description":"billing","topics":["cpe.assigned","cpe.claimed"]}`)
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, []any{"cpe.assigned", "cpe.claimed"}, r.body["topics"])
	require.Equal(t, true, r.body["enabled"])

	r = b.api(t, http.MethodGet, "/cpe/webhooks/"+id, b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.NotContains(t, r.raw, "whsec_", "the secret is shown at creation only")

	r = b.api(t, http.MethodPut, "/cpe/webhooks/"+id, b.keyA, `{"url":"https://billing.acme.example/v2","topics":["cpe.claimed"],"enabled":false}`)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, false, r.body["enabled"])
	r = b.api(t, http.MethodPut, "/cpe/webhooks/"+id, b.keyA, `{"url":"ftp://x","topics":["cpe.claimed"]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.errFields(), "url")
	r = b.api(t, http.MethodPut, "/cpe/webhooks/"+id, b.keyA, `{"url":"https://x.example","topics":["cpe.claimed"],"secret":"mine"}`)
	require.Equal(t, http.StatusBadRequest, r.status, "unknown fields are rejected")

	r = b.api(t, http.MethodPost, "/cpe/webhooks/"+id+"/rotate-secret", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Regexp(t, `^whsec_[0-9a-f]{64}$`, r.body["secret"])

	r = b.api(t, http.MethodPost, "/cpe/webhooks/"+id+"/test", b.keyA, "")
	require.Equal(t, http.StatusAccepted, r.status)
	require.NotEmpty(t, r.body["eventId"])

	r = b.api(t, http.MethodGet, "/cpe/webhooks/"+id+"/deliveries", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.NotNil(t, r.body["items"])
	r = b.api(t, http.MethodGet, "/cpe/webhooks/"+id+"/deliveries?before=yesterday", b.keyA, "")
	require.Equal(t, http.StatusBadRequest, r.status)

	require.Equal(t, http.StatusForbidden, b.api(t, http.MethodDelete, "/cpe/webhooks/"+id, b.keyViewerA, "").status)
	require.Equal(t, http.StatusNoContent, b.api(t, http.MethodDelete, "/cpe/webhooks/"+id, b.keyA, "").status)
	require.Equal(t, http.StatusNotFound, b.api(t, http.MethodGet, "/cpe/webhooks/"+id, b.keyA, "").status)
}

func TestWebhookEditFormBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodPost, "/cpe/webhooks", b.keyA, `{"url":"https://billing.acme.example/h","topics":["cpe.claimed"]}`)
	id := r.body["id"].(string)
	br := b.loggedIn(t, b.adminA)
	br.get("/settings/webhooks/" + id)
	p := br.post("/settings/webhooks/"+id, map[string][]string{"url": {"nope"}, "topics": {}})
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.NotEmpty(t, p.testid("error-url").Text())
	require.NotEmpty(t, p.testid("error-topics").Text())
	r = b.api(t, http.MethodGet, "/cpe/webhooks/"+id, b.keyA, "")
	require.Equal(t, "https://billing.acme.example/h", r.body["url"], "nothing half-written")
}
