package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestWiFiScanAndChannel: POST .../wifi-scan runs a neighbouring Wi-Fi
// scan whose networks and channel advice GET .../diagnostics shows (and
// the Diagnostics panel, with a one-click apply for technicians up);
// POST .../wifi-channel sets a band's channel, read back; bad fields are
// 422 by name; viewers 403; another organization's device 404.
func TestWiFiScanAndChannel(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	tp, tpGID := b.SimDevice(t, b.OrgA, webtest.ModelTPLink, 0)
	path := "/cpe/devices/" + tp.String()

	r := b.Post(t, path+"/wifi-scan", b.KeyA, "")
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, r.Status, r.Raw)
	b.WaitTask(t, b.KeyA, r.Body["id"].(string), action.StatusDone)
	d := b.API(t, http.MethodGet, path+"/diagnostics", b.KeyViewerA, "")
	n := d.Body["neighbours"].(map[string]any)
	require.GreaterOrEqual(t, len(n["networks"].([]any)), 5)
	advice := n["advice"].([]any)
	require.Len(t, advice, 2)
	first := advice[0].(map[string]any)
	require.Equal(t, "2.4GHz", first["band"])

	frag := b.LoggedIn(t, b.TechA).Get("/devices/" + tp.String() + "/diagnostics")
	require.GreaterOrEqual(t, frag.TestID("neighbour").Length(), 5)
	adv := frag.TestID("channel-advice-2.4GHz")
	require.Equal(t, fmt.Sprint(first["recommended"]), adv.AttrOr("data-recommended", ""))
	if first["recommended"] != first["current"] {
		require.Equal(t, 1, frag.TestID("channel-apply-2.4GHz").Length())
	}
	require.Zero(t, b.LoggedIn(t, b.ViewerA).Get("/devices/"+tp.String()+"/diagnostics").Doc.Find(`[data-testid^="channel-apply-"]`).Length(),
		"viewers read the advice without the button")

	r = b.Post(t, path+"/wifi-channel", b.KeyA, `{"band":"5GHz","channel":149}`)
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, r.Status, r.Raw)
	require.Equal(t, "set the 5 GHz channel to 149", r.Body["summary"])
	b.WaitTask(t, b.KeyA, r.Body["id"].(string), action.StatusDone)
	ch, _ := b.Sim.Value(tpGID, "Device.WiFi.Radio.2.Channel")
	require.Equal(t, "149", fmt.Sprint(ch))

	// The page's one click: the form post of the advice's button.
	page := b.LoggedIn(t, b.TechA).Post("/devices/"+tp.String()+"/wifi-channel", url.Values{"band": {"2.4GHz"}, "channel": {"11"}})
	require.Equal(t, http.StatusSeeOther, page.Status, page.Body)

	webtest.RequireInvalid(t, b.Post(t, path+"/wifi-channel", b.KeyA, `{"band":"2.4GHz","channel":14}`), "channel", "must be a 2.4 GHz channel, 1 to 13")
	webtest.RequireInvalid(t, b.Post(t, path+"/wifi-channel", b.KeyA, `{"band":"6GHz","channel":1}`), "band", "must be 2.4GHz or 5GHz")
	require.Equal(t, http.StatusForbidden, b.Post(t, path+"/wifi-scan", b.KeyViewerA, "").Status)
	require.Equal(t, http.StatusForbidden, b.Post(t, path+"/wifi-channel", b.KeyViewerA, `{"band":"5GHz","channel":36}`).Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, path+"/wifi-scan", b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, path+"/wifi-channel", b.KeyB, `{"band":"5GHz","channel":36}`).Status)
}
