package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestSecretsNeverLogged drives the flows that handle secrets and checks
// none appears in the logs.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	br := b.Browser(t)
	br.Login(b.AdminA.Email, "a-wrong-password-123")
	br.Login(b.AdminA.Email, testfactory.Password)
	r := b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyA, `{"name":"logged?"}`)
	newKey := r.Body["key"].(string)
	r = b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://x.example/h","topics":["cpe.claimed"]}`)
	hookSecret := r.Body["secret"].(string)
	b.API(t, http.MethodPost, "/cpe/users", b.KeyA, `{"email":"pw@acme.example","role":"viewer","password":"user-pass-in-body"}`)
	b.API(t, http.MethodGet, "/cpe/me", "fpk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "")

	logs := b.Logs.String()
	require.Contains(t, logs, `"path":"/cpe/api-keys"`, "requests are logged")
	require.Contains(t, logs, `"org_id":"`+b.OrgA.ID.String()+`"`)
	for _, s := range []string{testfactory.Password, "a-wrong-password-123", b.KeyA, newKey, hookSecret, "user-pass-in-body", "bbbbbbbbbbbbbbbb"} {
		require.NotContains(t, logs, s)
	}
}
