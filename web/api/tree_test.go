package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceParameterTreeAPI: GET /cpe/devices/:id/parameters?path= lists
// one level of the tree GenieACS holds for any key role; secrets carry
// "secret" and "set", never a value; a wildcard is a 422 on path; another
// organization's device a 404.
func TestDeviceParameterTreeAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	id, gid := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	require.NoError(t, b.Sim.Inform(context.Background(), gid, "2 PERIODIC"))
	base := "/cpe/devices/" + id.String() + "/parameters"

	r := b.API(t, http.MethodGet, base, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "InternetGatewayDevice", r.Body["path"])
	require.NotEmpty(t, r.Body["nodes"])
	r = b.API(t, http.MethodGet, base+"?path=InternetGatewayDevice.DeviceInfo", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Contains(t, r.Raw, `"path":"InternetGatewayDevice.DeviceInfo.SoftwareVersion"`)
	r = b.API(t, http.MethodGet, base+"?q=deviceinfo.softwareversion", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Len(t, r.Body["nodes"], 1)
	webtest.RequireInvalid(t, b.API(t, http.MethodGet, base+"?q=", b.KeyA, ""), "q", "is required")
	webtest.RequireInvalid(t, b.API(t, http.MethodGet, base+"?path=InternetGatewayDevice.*.SSID", b.KeyA, ""),
		"path", "must be a parameter path such as InternetGatewayDevice.LANDevice.1 (no wildcards)")
	// Read a subtree from the device: POST .../refresh {"path"}.
	r = b.Post(t, "/cpe/devices/"+id.String()+"/refresh", b.KeyA, `{"path":"InternetGatewayDevice.LANDevice.1.Hosts"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "done", r.Body["status"])
	require.Equal(t, "refresh InternetGatewayDevice.LANDevice.1.Hosts", r.Body["summary"])
	webtest.RequireInvalid(t, b.Post(t, "/cpe/devices/"+id.String()+"/refresh", b.KeyA, `{"path":"Device.Hosts"}`),
		"path", "must be under InternetGatewayDevice, this device's data model")
	require.Equal(t, http.StatusForbidden, b.Post(t, "/cpe/devices/"+id.String()+"/refresh", b.KeyViewerA, `{"path":"InternetGatewayDevice.LANDevice.1.Hosts"}`).Status)
	// Add and delete an instance.
	const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
	objects := "/cpe/devices/" + id.String() + "/objects"
	r = b.Post(t, objects, b.KeyA, `{"add":"`+table+`"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "add an instance to "+table, r.Body["summary"])
	webtest.RequireInvalid(t, b.Post(t, objects, b.KeyA, `{"add":"`+table+`","delete":"`+table+`.1"}`), "add", "give either add (a table's path) or delete (an instance's path)")
	webtest.RequireInvalid(t, b.Post(t, objects, b.KeyA, `{"delete":"`+table+`"}`), "path",
		"must be an instance's path such as InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.2")
	require.Equal(t, http.StatusForbidden, b.Post(t, objects, b.KeyViewerA, `{"add":"`+table+`"}`).Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, objects, b.KeyB, `{"add":"`+table+`"}`).Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, base, b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/nope/parameters", b.KeyA, "").Status)
}
