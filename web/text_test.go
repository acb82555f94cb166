package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestControlCharactersInWrites: NUL, other controls and invalid UTF-8 in
// the text fields of writes answer 422 naming the field (JSON) or a page
// naming it, never 500, and write nothing.
func TestControlCharactersInWrites(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	tables := `(SELECT count(*) FROM plans) + (SELECT count(*) FROM subscribers) + (SELECT count(*) FROM webhook_endpoints) +
		(SELECT count(*) FROM api_keys) + (SELECT count(*) FROM users) + (SELECT count(*) FROM cpe_devices)`
	before := b.Count(t, `SELECT `+tables)

	t.Run("API", func(t *testing.T) {
		for _, tc := range []struct{ name, method, path, body, field, reason string }{
			{"PlanName", http.MethodPost, "/cpe/plans", `{"name":"Home\u0000 20","downloadMbps":20,"uploadMbps":10}`, "name", validation.ReasonControl},
			{"SubscriberName", http.MethodPost, "/cpe/subscribers", `{"name":"Amina\u0007","pppoeUsername":"amina","pppoePassword":"secret-123"}`, "name", validation.ReasonControl},
			{"WebhookDescription", http.MethodPost, "/cpe/webhooks", `{"url":"https://hooks.example.net/x","topics":["cpe.claimed"],"description":"ops\u001b[31m"}`, "description", validation.ReasonControl},
			{"APIKeyName", http.MethodPost, "/cpe/api-keys", `{"name":"billing\u0000","role":"viewer"}`, "name", validation.ReasonControl},
			{"UserName", http.MethodPost, "/cpe/users", "{\"email\":\"x@acme.example\",\"role\":\"viewer\",\"password\":\"long-enough-1\",\"name\":\"bad \xff\xfe\"}", "name", validation.ReasonInvalidUTF8},
			{"DeviceSerialNested", http.MethodPost, "/cpe/devices", `{"serial":"HWTC\u0085","oui":"00259E"}`, "serial", validation.ReasonControl},
			{"AssignSubscriber", http.MethodPost, "/cpe/devices/00000000-0000-0000-0000-000000000001/assign-subscriber", `{"subscriberId":"\u0000"}`, "subscriberId", validation.ReasonControl},
			{"QueryFilter", http.MethodGet, "/cpe/devices?serial=HW%00TC", ``, "serial", validation.ReasonControl},
			{"PathParam", http.MethodGet, "/cpe/devices/%00", ``, "id", validation.ReasonControl},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := b.API(t, tc.method, tc.path, b.KeyA, tc.body)
				require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
				require.Equal(t, "invalid", r.ErrCode())
				require.Equal(t, tc.reason, r.ErrFields()[tc.field], r.Raw)
			})
		}
	})
	t.Run("Pages", func(t *testing.T) {
		br := b.LoggedIn(t, b.OwnerA)
		for _, tc := range []struct{ name, path, field string }{
			{"UserName", "/users", "name"},
			{"APIKeyName", "/api-keys", "name"},
			{"PlanName", "/plans", "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := br.Post(tc.path, url.Values{tc.field: {"bad\x00name"}, "email": {"y@acme.example"}, "role": {"viewer"}, "password": {"long-enough-1"}})
				require.Equal(t, http.StatusUnprocessableEntity, p.Status, p.Body)
				require.Contains(t, p.Body, tc.field+" "+validation.ReasonControl)
			})
		}
	})
	require.Equal(t, before, b.Count(t, `SELECT `+tables), "nothing was written")
}
