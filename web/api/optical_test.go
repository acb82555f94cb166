package api_test

import (
	"context"
	"net/http"
	"strings"
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

// TestPONPortAPI: PUT /cpe/devices/:id/pon-port records the port the ONT
// hangs off (owner, admin; 422 naming ponPort; viewers 403), devices carry
// it, and GET /cpe/optical/ports groups the ONTs in alarm by it; another
// organization sees none of it.
func TestPONPortAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	const rxPath = "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower"
	var ids []string
	for _, rx := range []string{"-38.00", "-36.50", "-19.00"} {
		id, gid := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
		require.NoError(t, b.Sim.SetValue(gid, rxPath, rx))
		require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
		ids = append(ids, id.String())
	}
	_, err := b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)

	r := b.API(t, http.MethodGet, "/cpe/optical/ports", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Empty(t, r.Items(), "no port recorded yet")
	require.Equal(t, false, r.Body["truncated"])

	for _, id := range ids {
		r := b.API(t, http.MethodPut, "/cpe/devices/"+id+"/pon-port", b.KeyA, `{"ponPort":"OLT-Kisumu-1 0/1/3"}`)
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "OLT-Kisumu-1 0/1/3", r.Body["ponPort"])
	}
	r = b.API(t, http.MethodGet, "/cpe/optical/ports", b.KeyViewerA, "")
	require.Len(t, r.Items(), 1)
	port := r.Items()[0].(map[string]any)
	require.Equal(t, "OLT-Kisumu-1 0/1/3", port["ponPort"])
	require.Equal(t, 2.0, port["alarm"])
	require.Equal(t, 3.0, port["devices"])
	require.Equal(t, 2.0, port["critical"])
	require.InDelta(t, -38, port["weakestDbm"], 0.001)
	require.NotEmpty(t, port["since"])
	r = b.API(t, http.MethodGet, "/cpe/optical?pon_port=OLT-Kisumu-1+0%2F1%2F3", b.KeyViewerA, "")
	require.Len(t, r.Items(), 2)
	require.Equal(t, "OLT-Kisumu-1 0/1/3", r.Items()[0].(map[string]any)["ponPort"])
	r = b.API(t, http.MethodGet, "/cpe/devices?pon_port=OLT-Kisumu-1+0%2F1%2F3", b.KeyViewerA, "")
	require.Len(t, r.Items(), 3)
	require.Equal(t, "OLT-Kisumu-1 0/1/3", b.API(t, http.MethodGet, "/cpe/devices/"+ids[0], b.KeyViewerA, "").Body["ponPort"])

	webtest.RequireInvalid(t, b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyA, `{"ponPort":"`+strings.Repeat("p", 65)+`"}`),
		"ponPort", "must be at most 64 printable characters")
	webtest.RequireInvalid(t, b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyA, `{}`),
		"ponPort", `is required ("" forgets the port)`)
	require.Equal(t, http.StatusBadRequest, b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyA, `{"ponPort":1}`).Status, "not a string")
	require.Equal(t, http.StatusUnprocessableEntity, b.API(t, http.MethodGet, "/cpe/devices?pon_port="+strings.Repeat("p", 65), b.KeyA, "").Status)
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyViewerA, `{"ponPort":"x"}`).Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyB, `{"ponPort":"x"}`).Status)
	require.Empty(t, b.API(t, http.MethodGet, "/cpe/optical/ports", b.KeyB, "").Items(), "beta has none")

	r = b.API(t, http.MethodPut, "/cpe/devices/"+ids[0]+"/pon-port", b.KeyA, `{"ponPort":""}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Nil(t, r.Body["ponPort"], "forgotten")
	port = b.API(t, http.MethodGet, "/cpe/optical/ports", b.KeyViewerA, "").Items()[0].(map[string]any)
	require.Equal(t, 1.0, port["alarm"])
	require.Equal(t, 2.0, port["devices"])
}
