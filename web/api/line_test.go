package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceLineAPI: GET /cpe/devices/:id/line answers the CPE's own Wi-Fi
// name, WAN and PPPoE login for any key role; another organization's or an
// unknown id is a 404; no key is a 401.
func TestDeviceLineAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	id, gid := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	require.NoError(t, b.Sim.Inform(context.Background(), gid, "2 PERIODIC"))
	path := "/cpe/devices/" + id.String() + "/line"

	r := b.API(t, http.MethodGet, path, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	ssid, _ := b.Sim.Value(gid, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")
	require.Equal(t, fmt.Sprint(ssid), r.Body["ssid24"])
	require.Equal(t, "PPPoE", r.Body["wanType"])
	require.NotEmpty(t, r.Body["wanStatus"])
	require.NotNil(t, r.Body["uptimeSeconds"])
	require.NotNil(t, r.Body["readAt"])

	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, path, b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/not-a-uuid/line", b.KeyA, "").Status)
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, path, "", "").Status)
}
