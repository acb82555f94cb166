package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAPIWebhooksCRUD(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://billing.acme.example/h","description":"billing","topics":["cpe.assigned","cpe.claimed"]}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, []any{"cpe.assigned", "cpe.claimed"}, r.Body["topics"])
	require.Equal(t, true, r.Body["enabled"])

	r = b.API(t, http.MethodGet, "/cpe/webhooks/"+id, b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotContains(t, r.Raw, "whsec_", "the secret is shown at creation only")

	r = b.API(t, http.MethodPut, "/cpe/webhooks/"+id, b.KeyA, `{"url":"https://billing.acme.example/v2","topics":["cpe.claimed"],"enabled":false}`)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, false, r.Body["enabled"])
	r = b.API(t, http.MethodPut, "/cpe/webhooks/"+id, b.KeyA, `{"url":"ftp://x","topics":["cpe.claimed"]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "url")
	r = b.API(t, http.MethodPut, "/cpe/webhooks/"+id, b.KeyA, `{"url":"https://x.example","topics":["cpe.claimed"],"secret":"mine"}`)
	require.Equal(t, http.StatusBadRequest, r.Status, "unknown fields are rejected")

	r = b.API(t, http.MethodPost, "/cpe/webhooks/"+id+"/rotate-secret", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Regexp(t, `^whsec_[0-9a-f]{64}$`, r.Body["secret"])

	r = b.API(t, http.MethodPost, "/cpe/webhooks/"+id+"/test", b.KeyA, "")
	require.Equal(t, http.StatusAccepted, r.Status)
	require.NotEmpty(t, r.Body["eventId"])

	r = b.API(t, http.MethodGet, "/cpe/webhooks/"+id+"/deliveries", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotNil(t, r.Body["items"])
	r = b.API(t, http.MethodGet, "/cpe/webhooks/"+id+"/deliveries?before=yesterday", b.KeyA, "")
	require.Equal(t, http.StatusBadRequest, r.Status)

	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodDelete, "/cpe/webhooks/"+id, b.KeyViewerA, "").Status)
	require.Equal(t, http.StatusNoContent, b.API(t, http.MethodDelete, "/cpe/webhooks/"+id, b.KeyA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/webhooks/"+id, b.KeyA, "").Status)
}
