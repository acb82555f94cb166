package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestOpticalAPI: GET /cpe/optical lists the ONTs in alarm, weakest
// first, page by page (status=all: every reading); the device and the
// dashboard carry the levels; bad filters are 422; another organization
// sees its own.
func TestOpticalAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	const rxPath = "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower"
	var gids []string
	for _, rx := range []string{"-18.00", "-28.50", "-31.25"} {
		_, gid := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
		require.NoError(t, b.Sim.SetValue(gid, rxPath, rx))
		gids = append(gids, gid)
	}
	for _, gid := range gids {
		require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	}
	_, err := b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)

	r := b.API(t, http.MethodGet, "/cpe/optical", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	items := r.Items()
	require.Len(t, items, 2, "the two in alarm")
	first := items[0].(map[string]any)
	require.Equal(t, "critical", first["level"])
	require.InDelta(t, -31.25, first["rxDbm"], 0.001)
	require.Equal(t, "weak", items[1].(map[string]any)["level"])

	r = b.API(t, http.MethodGet, "/cpe/optical?status=all&limit=2", b.KeyViewerA, "")
	require.Len(t, r.Items(), 2)
	next, _ := r.Body["next"].(string)
	require.NotEmpty(t, next)
	r = b.API(t, http.MethodGet, "/cpe/optical?status=all&limit=2&after="+next, b.KeyViewerA, "")
	require.Len(t, r.Items(), 1)
	require.Equal(t, "good", r.Items()[0].(map[string]any)["level"])
	require.Nil(t, r.Body["next"])

	for _, q := range []string{"status=bad", "limit=0", "limit=x", "after=%21"} {
		r := b.API(t, http.MethodGet, "/cpe/optical?"+q, b.KeyViewerA, "")
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, q)
	}
	require.Empty(t, b.API(t, http.MethodGet, "/cpe/optical", b.KeyB, "").Items(), "beta has none")

	d := b.API(t, http.MethodGet, "/cpe/devices/"+first["deviceId"].(string), b.KeyViewerA, "")
	require.Equal(t, "critical", d.Body["opticalLevel"])
	require.NotEmpty(t, d.Body["opticalLevelAt"])
	dash := b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyViewerA, "")
	require.Equal(t, map[string]any{"weak": 1.0, "critical": 1.0, "overload": 0.0}, dash.Body["opticalAlarms"])
	list := b.API(t, http.MethodGet, "/cpe/devices?status=optical_alarm", b.KeyViewerA, "")
	require.Len(t, list.Items(), 2)
}
