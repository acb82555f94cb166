package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestAPIAuthentication(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodGet, "/cpe/users", "", "")
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "unauthorized", r.errCode())
	require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")

	for _, bad := range []string{"fpk_nope", "fpk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", b.keyA + "x", strings.ToUpper(b.keyA)} {
		r = b.api(t, http.MethodGet, "/cpe/users", bad, "")
		require.Equal(t, http.StatusUnauthorized, r.status, bad)
	}
	// A session cookie does not open the API.
	br := b.loggedIn(t, b.adminA)
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/cpe/users", nil)
	require.Equal(t, http.StatusUnauthorized, br.do(req).status)

	r = b.api(t, http.MethodGet, "/cpe/nothing-here", b.keyA, "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "not_found", r.errCode())
}

func TestAPIBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
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
			r := b.api(t, http.MethodPost, "/cpe/users", b.keyA, tc.body)
			require.Equal(t, tc.status, r.status, r.raw)
			require.Equal(t, tc.code, r.errCode())
			e := r.body["error"].(map[string]any)
			require.NotEmpty(t, e["message"])
			if tc.status == 422 {
				require.Contains(t, r.errFields(), "email")
				require.Contains(t, r.errFields(), "role")
				require.Contains(t, r.errFields(), "password")
			}
		})
	}
	r := b.api(t, http.MethodPost, "/cpe/users", b.keyA, `{"email":"ok@acme.example","role":"viewer","password":"long-enough-1"}`)
	require.Equal(t, http.StatusCreated, r.status)
	require.Equal(t, "ok@acme.example", r.body["email"])
	require.NotContains(t, r.raw, "password_hash")
	require.NotContains(t, r.raw, "argon2")

	r = b.api(t, http.MethodPost, "/cpe/webhooks", b.keyA, `{"url":"https://billing.example/x","topics":[]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.errFields(), "topics")
}

func TestAPIWrongRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, call := range []struct{ method, path, body string }{
		{http.MethodGet, "/cpe/users", ""},
		{http.MethodPost, "/cpe/users", `{"email":"v@acme.example","role":"viewer","password":"long-enough-1"}`},
		{http.MethodGet, "/cpe/api-keys", ""},
		{http.MethodPost, "/cpe/api-keys", `{"name":"x"}`},
		{http.MethodGet, "/cpe/webhooks", ""},
		{http.MethodPost, "/cpe/webhooks", `{"url":"https://x.example","topics":["cpe.claimed"]}`},
	} {
		r := b.api(t, call.method, call.path, b.keyViewerA, call.body)
		require.Equal(t, http.StatusForbidden, r.status, "%s %s", call.method, call.path)
		require.Equal(t, "forbidden", r.errCode())
	}
	require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, "/cpe/audit", b.keyViewerA, "").status, "viewers read")
}

// TestTwoOrganizationIsolation: acme's users, API keys, webhooks and audit
// rows are invisible to beta through pages and API: 404, never a leak.
func TestTwoOrganizationIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)

	// acme creates a webhook and a key through the API, making audit rows.
	r := b.api(t, http.MethodPost, "/cpe/webhooks", b.keyA, `{"url":"https://billing.acme.example/hook","topics":["cpe.claimed"]}`)
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	hookID := r.body["id"].(string)
	require.True(t, strings.HasPrefix(r.body["secret"].(string), "whsec_"))
	r = b.api(t, http.MethodPost, "/cpe/api-keys", b.keyA, `{"name":"acme-crm","role":"viewer"}`)
	require.Equal(t, http.StatusCreated, r.status)
	keyID := r.body["id"].(string)
	require.NotEmpty(t, r.body["key"])
	r = b.api(t, http.MethodGet, "/cpe/audit?action=webhook.create", b.keyA, "")
	require.Len(t, r.items(), 1)
	auditID := r.items()[0].(map[string]any)["id"].(float64)

	objects := map[string]string{
		"user":    "/cpe/users/" + b.adminA.ID.String(),
		"api key": "/cpe/api-keys/" + keyID,
		"webhook": "/cpe/webhooks/" + hookID,
		"audit":   "/cpe/audit/" + strconv.FormatFloat(auditID, 'f', 0, 64),
	}
	for what, path := range objects {
		require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, path, b.keyA, "").status, "acme reads its own %s", what)
		r := b.api(t, http.MethodGet, path, b.keyB, "")
		require.Equal(t, http.StatusNotFound, r.status, "beta reading acme's %s", what)
		require.Equal(t, "not_found", r.errCode())
		require.NotContains(t, r.raw, "acme")
	}
	// Writes to acme's objects from beta: 404 and nothing changes.
	for _, call := range []struct{ method, path, body string }{
		{http.MethodPatch, "/cpe/users/" + b.adminA.ID.String(), `{"disabled":true}`},
		{http.MethodPost, "/cpe/api-keys/" + keyID + "/revoke", ""},
		{http.MethodDelete, "/cpe/api-keys/" + b.keyAID.ID.String(), ""},
		{http.MethodPut, "/cpe/webhooks/" + hookID, `{"url":"https://evil.example","topics":["cpe.claimed"]}`},
		{http.MethodDelete, "/cpe/webhooks/" + hookID, ""},
		{http.MethodPost, "/cpe/webhooks/" + hookID + "/test", ""},
		{http.MethodPost, "/cpe/webhooks/" + hookID + "/rotate-secret", ""},
		{http.MethodGet, "/cpe/webhooks/" + hookID + "/deliveries", ""},
	} {
		r := b.api(t, call.method, call.path, b.keyB, call.body)
		require.Equal(t, http.StatusNotFound, r.status, "%s %s", call.method, call.path)
	}
	require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, "/cpe/me", b.keyA, "").status, "acme's key still works")
	r = b.api(t, http.MethodGet, "/cpe/webhooks/"+hookID, b.keyA, "")
	require.Equal(t, "https://billing.acme.example/hook", r.body["url"])

	// Lists never include the other organization's rows.
	for _, path := range []string{"/cpe/users", "/cpe/api-keys", "/cpe/webhooks", "/cpe/audit?limit=200"} {
		r := b.api(t, http.MethodGet, path, b.keyB, "")
		require.Equal(t, http.StatusOK, r.status)
		require.NotContains(t, r.raw, "acme", path)
	}

	// Pages: beta's admin sees none of acme's objects.
	ob := b.loggedIn(t, b.adminB)
	for _, path := range []string{"/users", "/api-keys", "/settings/webhooks", "/audit"} {
		p := ob.get(path)
		require.Equal(t, http.StatusOK, p.status, path)
		require.NotContains(t, p.body, "acme", path)
	}
	require.Equal(t, http.StatusNotFound, ob.get("/settings/webhooks/"+hookID).status)
	require.Equal(t, http.StatusNotFound, ob.post("/users/"+b.adminA.ID.String()+"/disable", nil).status)
	require.Equal(t, http.StatusNotFound, ob.post("/api-keys/"+keyID+"/revoke", nil).status)

	// And the reverse direction for one object, to be sure the test can fail.
	rb := b.api(t, http.MethodGet, "/cpe/users/"+b.adminB.ID.String(), b.keyA, "")
	require.Equal(t, http.StatusNotFound, rb.status)
	require.Equal(t, http.StatusOK, b.api(t, http.MethodGet, "/cpe/users/"+b.adminB.ID.String(), b.keyB, "").status)
}

// TestSecretsNeverLogged drives the flows that handle secrets and checks
// none appears in the logs.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser(t)
	br.login(b.adminA.Email, "a-wrong-password-123")
	br.login(b.adminA.Email, testfactory.Password)
	r := b.api(t, http.MethodPost, "/cpe/api-keys", b.keyA, `{"name":"logged?"}`)
	newKey := r.body["key"].(string)
	r = b.api(t, http.MethodPost, "/cpe/webhooks", b.keyA, `{"url":"https://x.example/h","topics":["cpe.claimed"]}`)
	hookSecret := r.body["secret"].(string)
	b.api(t, http.MethodPost, "/cpe/users", b.keyA, `{"email":"pw@acme.example","role":"viewer","password":"user-pass-in-body"}`)
	b.api(t, http.MethodGet, "/cpe/me", "fpk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "")

	logs := b.logs.String()
	require.Contains(t, logs, `"path":"/cpe/api-keys"`, "requests are logged")
	require.Contains(t, logs, `"org_id":"`+b.orgA.ID.String()+`"`)
	for _, s := range []string{testfactory.Password, "a-wrong-password-123", b.keyA, newKey, hookSecret, "user-pass-in-body", "bbbbbbbbbbbbbbbb"} {
		require.NotContains(t, logs, s)
	}
}
