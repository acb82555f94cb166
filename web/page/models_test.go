package page_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestModelsPage: each model of the organization with its devices and what
// they can do; a device not judged yet is counted apart; another
// organization's devices are not there; every role may read it.
func TestModelsPage(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	b.JudgedSimDevice(t, b.OrgA, acssim.ProfileTendaN301)
	b.JudgedSimDevice(t, b.OrgA, acssim.ProfileTendaN301)
	b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	b.JudgedSimDevice(t, b.OrgB, acssim.ProfileZTEF660)

	p := b.LoggedIn(t, b.ViewerA).Get("/models")
	require.Equal(t, http.StatusOK, p.Status)
	rows := p.TestID("model-row")
	var models []string
	rows.Each(func(_ int, r *goquery.Selection) { models = append(models, r.AttrOr("data-model", "")) })
	require.Equal(t, []string{"HG8245H", "N301"}, models, "acme's models, the most numerous first (a tie by name)")
	cell := func(model, id string) string {
		return strings.TrimSpace(p.Doc.Find(`[data-model="` + model + `"] [data-testid="` + id + `"]`).Text())
	}
	require.Equal(t, "2 1 not judged yet", strings.Join(strings.Fields(cell("HG8245H", "model-devices")), " "))
	require.Equal(t, "yes", cell("HG8245H", "model-cap-pppoe"))
	require.Equal(t, "yes", cell("HG8245H", "model-cap-optical"))
	require.Equal(t, "yes", cell("HG8245H", "model-cap-traceroute"))
	require.Equal(t, "no", cell("HG8245H", "model-cap-neighbour_scan"))
	require.Equal(t, "2", cell("N301", "model-devices"))
	require.Equal(t, "no", cell("N301", "model-cap-pppoe"))
	require.Equal(t, "no", cell("N301", "model-cap-ping"))
	require.Equal(t, "yes", cell("N301", "model-cap-wifi_2g"))
	require.Equal(t, "/devices?model=N301", p.Doc.Find(`[data-model="N301"] a`).AttrOr("href", ""))

	r := b.API(t, http.MethodGet, "/cpe/models", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Len(t, r.Items(), 2)
	first := r.Items()[0].(map[string]any)
	require.Equal(t, "HG8245H", first["productClass"])
	require.EqualValues(t, 1, first["unknown"])
	require.EqualValues(t, 1, first["capabilities"].(map[string]any)["pppoe"].(map[string]any)["devices"])
	require.Len(t, b.API(t, http.MethodGet, "/cpe/models", b.KeyB, "").Items(), 1, "beta sees its own")
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/models", "", "").Status)
}
