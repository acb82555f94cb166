package page_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/apidoc"
	"github.com/fyberpay/cpe/web/webtest"
)

// The API reference lists every documented call, grouped by resource,
// for any signed-in staff (a viewer too), and links the OpenAPI document;
// signed out, it is the sign-in page.
func TestAPIReferencePage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	p := b.LoggedIn(t, b.ViewerA).Get("/api-docs")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "/cpe/openapi.json", p.TestID("openapi-link").AttrOr("href", ""))
	require.Equal(t, len(apidoc.Routes()), p.TestID("api-operation").Length(), "every documented call")
	row := p.Doc.Find(`[data-testid="api-operation"][data-method="POST"][data-path="/cpe/devices/{id}/wifi"]`)
	require.Equal(t, 1, row.Length())
	require.Contains(t, row.Text(), "Set the Wi-Fi name and key.")
	require.Contains(t, row.Text(), "200, 202")
	require.Contains(t, row.Text(), "JSON body described")
	require.Equal(t, 1, p.Doc.Find(`[data-testid="api-group"][data-group="devices"]`).Length())

	out := b.Browser(t).Get("/api-docs")
	require.Contains(t, []int{http.StatusSeeOther, http.StatusFound}, out.Status, "signed out: to the sign-in page")
}
