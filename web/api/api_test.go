package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestAPIAuthentication(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodGet, "/cpe/users", "", "")
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, "unauthorized", r.ErrCode())
	require.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")

	for _, bad := range []string{"fpk_nope", "fpk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", b.KeyA + "x", strings.ToUpper(b.KeyA)} {
		r = b.API(t, http.MethodGet, "/cpe/users", bad, "")
		require.Equal(t, http.StatusUnauthorized, r.Status, bad)
	}
	// A session cookie does not open the API.
	br := b.LoggedIn(t, b.AdminA)
	req, _ := http.NewRequest(http.MethodGet, b.Srv.URL+"/cpe/users", nil)
	require.Equal(t, http.StatusUnauthorized, br.Do(req).Status)

	r = b.API(t, http.MethodGet, "/cpe/nothing-here", b.KeyA, "")
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, "not_found", r.ErrCode())
}

func TestAPIBadInput(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"NotJSON", `{"email":`, 400, "bad_json"},
		{"Empty", ``, 400, "bad_json"},
		{"UnknownField", `{"email":"a@acme.example","role":"viewer","password":"long-enough-1","admin":true}`, 400, "bad_json"},
		{"WrongType", `{"email":42}`, 400, "bad_json"},
		{"Trailing", `{"email":"a@acme.example"} {}`, 400, "bad_json"},
		{"Invalid", `{"email":"nope","role":"root","password":"x"}`, 422, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.API(t, http.MethodPost, "/cpe/users", b.KeyA, tc.body)
			require.Equal(t, tc.status, r.Status, r.Raw)
			require.Equal(t, tc.code, r.ErrCode())
			e := r.Body["error"].(map[string]any)
			require.NotEmpty(t, e["message"])
			if tc.status == 422 {
				require.Contains(t, r.ErrFields(), "email")
				require.Contains(t, r.ErrFields(), "role")
				require.Contains(t, r.ErrFields(), "password")
			}
		})
	}
	r := b.API(t, http.MethodPost, "/cpe/users", b.KeyA, `{"email":"ok@acme.example","role":"viewer","password":"long-enough-1"}`)
	require.Equal(t, http.StatusCreated, r.Status)
	require.Equal(t, "ok@acme.example", r.Body["email"])
	require.NotContains(t, r.Raw, "password_hash")
	require.NotContains(t, r.Raw, "argon2")

	r = b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://billing.example/x","topics":[]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "topics")
}

func TestAPIWrongRole(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	for _, call := range []struct{ method, path, body string }{
		{http.MethodGet, "/cpe/users", ""},
		{http.MethodPost, "/cpe/users", `{"email":"v@acme.example","role":"viewer","password":"long-enough-1"}`},
		{http.MethodGet, "/cpe/api-keys", ""},
		{http.MethodPost, "/cpe/api-keys", `{"name":"x"}`},
		{http.MethodGet, "/cpe/webhooks", ""},
		{http.MethodPost, "/cpe/webhooks", `{"url":"https://x.example","topics":["cpe.claimed"]}`},
	} {
		r := b.API(t, call.method, call.path, b.KeyViewerA, call.body)
		require.Equal(t, http.StatusForbidden, r.Status, "%s %s", call.method, call.path)
		require.Equal(t, "forbidden", r.ErrCode())
	}
	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/audit", b.KeyViewerA, "").Status, "viewers read")
}

// TestTwoOrganizationIsolation: acme's users, API keys, webhooks and audit
// rows are invisible to beta through pages and API: 404, never a leak.
func TestTwoOrganizationIsolation(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)

	// acme creates a webhook and a key through the API, making audit rows.
	r := b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://billing.acme.example/hook","topics":["cpe.claimed"]}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	hookID := r.Body["id"].(string)
	require.True(t, strings.HasPrefix(r.Body["secret"].(string), "whsec_"))
	r = b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyA, `{"name":"acme-crm","role":"viewer"}`)
	require.Equal(t, http.StatusCreated, r.Status)
	keyID := r.Body["id"].(string)
	require.NotEmpty(t, r.Body["key"])
	r = b.API(t, http.MethodGet, "/cpe/audit?action=webhook.create", b.KeyA, "")
	require.Len(t, r.Items(), 1)
	auditID := r.Items()[0].(map[string]any)["id"].(float64)

	objects := map[string]string{
		"user":    "/cpe/users/" + b.AdminA.ID.String(),
		"api key": "/cpe/api-keys/" + keyID,
		"webhook": "/cpe/webhooks/" + hookID,
		"audit":   "/cpe/audit/" + strconv.FormatFloat(auditID, 'f', 0, 64),
	}
	for what, path := range objects {
		require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, path, b.KeyA, "").Status, "acme reads its own %s", what)
		r := b.API(t, http.MethodGet, path, b.KeyB, "")
		require.Equal(t, http.StatusNotFound, r.Status, "beta reading acme's %s", what)
		require.Equal(t, "not_found", r.ErrCode())
		require.NotContains(t, r.Raw, "acme")
	}
	// Writes to acme's objects from beta: 404 and nothing changes.
	for _, call := range []struct{ method, path, body string }{
		{http.MethodPatch, "/cpe/users/" + b.AdminA.ID.String(), `{"disabled":true}`},
		{http.MethodPost, "/cpe/api-keys/" + keyID + "/revoke", ""},
		{http.MethodDelete, "/cpe/api-keys/" + b.KeyAID.ID.String(), ""},
		{http.MethodPut, "/cpe/webhooks/" + hookID, `{"url":"https://evil.example","topics":["cpe.claimed"]}`},
		{http.MethodDelete, "/cpe/webhooks/" + hookID, ""},
		{http.MethodPost, "/cpe/webhooks/" + hookID + "/test", ""},
		{http.MethodPost, "/cpe/webhooks/" + hookID + "/rotate-secret", ""},
		{http.MethodGet, "/cpe/webhooks/" + hookID + "/deliveries", ""},
	} {
		r := b.API(t, call.method, call.path, b.KeyB, call.body)
		require.Equal(t, http.StatusNotFound, r.Status, "%s %s", call.method, call.path)
	}
	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/me", b.KeyA, "").Status, "acme's key still works")
	r = b.API(t, http.MethodGet, "/cpe/webhooks/"+hookID, b.KeyA, "")
	require.Equal(t, "https://billing.acme.example/hook", r.Body["url"])

	// Lists never include the other organization's rows.
	for _, path := range []string{"/cpe/users", "/cpe/api-keys", "/cpe/webhooks", "/cpe/audit?limit=200"} {
		r := b.API(t, http.MethodGet, path, b.KeyB, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.NotContains(t, r.Raw, "acme", path)
	}

	// Pages: beta's admin sees none of acme's objects.
	ob := b.LoggedIn(t, b.AdminB)
	for _, path := range []string{"/users", "/api-keys", "/settings/webhooks", "/audit"} {
		p := ob.Get(path)
		require.Equal(t, http.StatusOK, p.Status, path)
		require.NotContains(t, p.Body, "acme", path)
	}
	require.Equal(t, http.StatusNotFound, ob.Get("/settings/webhooks/"+hookID).Status)
	require.Equal(t, http.StatusNotFound, ob.Post("/users/"+b.AdminA.ID.String()+"/disable", nil).Status)
	require.Equal(t, http.StatusNotFound, ob.Post("/api-keys/"+keyID+"/revoke", nil).Status)

	// And the reverse direction for one object, to be sure the test can fail.
	rb := b.API(t, http.MethodGet, "/cpe/users/"+b.AdminB.ID.String(), b.KeyA, "")
	require.Equal(t, http.StatusNotFound, rb.Status)
	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/users/"+b.AdminB.ID.String(), b.KeyB, "").Status)
}
