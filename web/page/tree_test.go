package page_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceTreePages: the device page opens with its parameter tree's
// root loading; each level is a fragment; a value shows with its type,
// a secret only as set/empty; viewers read it; another organization's
// device is a 404, a path with a wildcard a 422; without GenieACS the
// fragment says so.
func TestDeviceTreePages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	ctx := context.Background()
	id, gid := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"), "the health provision fetches part of the tree")
	viewer := b.LoggedIn(t, b.ViewerA)
	p := viewer.Get("/devices/" + id.String())
	require.Equal(t, "/devices/"+id.String()+"/tree", p.TestID("param-tree").AttrOr("hx-get", ""))

	level := func(path string) webtest.Page {
		t.Helper()
		u := "/devices/" + id.String() + "/tree"
		if path != "" {
			u += "?" + url.Values{"path": {path}}.Encode()
		}
		f := viewer.Get(u)
		require.Equal(t, http.StatusOK, f.Status, f.Body)
		return f
	}
	root := level("")
	require.Equal(t, "InternetGatewayDevice", root.TestID("tree-level").AttrOr("data-path", ""))
	require.Equal(t, 1, root.Doc.Find(`[data-path="InternetGatewayDevice.LANDevice"] [data-testid="tree-open"]`).Length(), "objects open")
	require.Equal(t, "/devices/"+id.String()+"/tree?path=InternetGatewayDevice.LANDevice",
		root.Doc.Find(`[data-path="InternetGatewayDevice.LANDevice"] details > div`).AttrOr("hx-get", ""))
	w := level("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1")
	ssid, _ := b.Sim.Value(gid, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")
	node := w.Doc.Find(`[data-path="InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"]`)
	require.Equal(t, fmt.Sprint(ssid), strings.TrimSpace(node.Find(`[data-testid="tree-value"]`).Text()))
	require.Contains(t, node.Text(), "xsd:string")

	require.Zero(t, w.TestID("tree-refresh").Length(), "viewers only read")
	require.Equal(t, "/devices/"+id.String()+"/tree", p.TestID("tree-search").AttrOr("hx-get", ""))
	found := viewer.Get("/devices/" + id.String() + "/tree?q=DeviceInfo.SoftwareVersion")
	require.Equal(t, http.StatusOK, found.Status)
	require.Equal(t, `1 parameter holds "DeviceInfo.SoftwareVersion".`, found.TestID("tree-note").Text())
	require.Equal(t, 1, found.Doc.Find(`[data-path="InternetGatewayDevice.DeviceInfo.SoftwareVersion"]`).Length())

	// A technician has GenieACS read a level it does not hold yet.
	tech := b.LoggedIn(t, b.TechA)
	lan := tech.Get("/devices/" + id.String() + "/tree?path=InternetGatewayDevice.LANDevice.1.LANHostConfigManagement")
	require.Equal(t, 1, lan.TestID("tree-empty").Length())
	require.Equal(t, `{"path":"InternetGatewayDevice.LANDevice.1.LANHostConfigManagement"}`, lan.TestID("tree-refresh").AttrOr("hx-vals", ""))
	r := tech.HTMX("/devices/"+id.String()+"/tree/refresh", url.Values{"path": {"InternetGatewayDevice.LANDevice.1.LANHostConfigManagement"}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Refresh InternetGatewayDevice.LANDevice.1.LANHostConfigManagement: done.", r.TestID("tree-note").Text())
	require.Positive(t, r.Doc.Find(`[data-testid="tree-node"]`).Length(), "the level as it now is")
	require.Equal(t, http.StatusForbidden, viewer.Post("/devices/"+id.String()+"/tree/refresh", url.Values{"path": {"InternetGatewayDevice.LANDevice.1.LANHostConfigManagement"}}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, tech.Post("/devices/"+id.String()+"/tree/refresh", url.Values{"path": {"InternetGatewayDevice.*"}}).Status)

	require.Zero(t, tech.Get("/devices/"+id.String()+"/tree?path=InternetGatewayDevice.LANDevice.1.WLANConfiguration.1").TestID("tree-edit").Length(),
		"technicians do not edit raw values")

	// An admin sets a writable value from the tree; it is read back and
	// the level shows it.
	admin := b.LoggedIn(t, b.AdminA)
	const ssidPath = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"
	lvl := admin.Get("/devices/" + id.String() + "/tree?path=InternetGatewayDevice.LANDevice.1.WLANConfiguration.1")
	require.Equal(t, 1, lvl.Doc.Find(`[data-path="`+ssidPath+`"] [data-testid="tree-edit"]`).Length())
	r = admin.HTMX("/devices/"+id.String()+"/tree/set", url.Values{"path": {ssidPath}, "value": {"Mti-Home"}, "type": {"xsd:string"}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Regexp(t, `: done\.$`, r.TestID("tree-note").Text())
	require.Equal(t, "Mti-Home", strings.TrimSpace(r.Doc.Find(`[data-path="`+ssidPath+`"] [data-testid="tree-value"]`).Text()))
	got, _ := b.Sim.Value(gid, ssidPath)
	require.Equal(t, "Mti-Home", got, "the CPE holds it")
	r = admin.HTMX("/devices/"+id.String()+"/tree/set", url.Values{"path": {"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Enable"}, "value": {"maybe"}, "type": {"xsd:boolean"}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Contains(t, r.TestID("tree-note").Text(), "Not sent: ")
	require.Equal(t, http.StatusForbidden, tech.Post("/devices/"+id.String()+"/tree/set", url.Values{"path": {ssidPath}, "value": {"x"}}).Status)

	// Add an instance to a table, then delete it, from the tree.
	const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
	r = admin.HTMX("/devices/"+id.String()+"/tree/refresh", url.Values{"path": {table}})
	require.Equal(t, http.StatusOK, r.Status)
	n := r.Doc.Find(`[data-testid="tree-node"]`).Length()
	require.Equal(t, 1, r.TestID("tree-add").Length(), "a table offers an instance: %s", r.Body)
	r = admin.HTMX("/devices/"+id.String()+"/tree/add", url.Values{"path": {table}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Add an instance to "+table+": done.", r.TestID("tree-note").Text())
	require.Equal(t, n+1, r.Doc.Find(`[data-testid="tree-node"]`).Length())
	last := r.Doc.Find(`[data-testid="tree-node"]`).Last().AttrOr("data-path", "")
	require.Contains(t, r.Doc.Find(`[data-path="`+last+`"] [data-testid="tree-delete"]`).AttrOr("hx-confirm", ""), "Delete "+last+" from the device?")
	r = admin.HTMX("/devices/"+id.String()+"/tree/delete", url.Values{"path": {last}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Delete "+last+": done.", r.TestID("tree-note").Text())
	require.Equal(t, n, r.Doc.Find(`[data-testid="tree-node"]`).Length())
	require.Equal(t, http.StatusForbidden, tech.Post("/devices/"+id.String()+"/tree/add", url.Values{"path": {table}}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, admin.Post("/devices/"+id.String()+"/tree/delete", url.Values{"path": {table}}).Status)

	beta := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusNotFound, beta.Get("/devices/"+id.String()+"/tree").Status)
	for _, route := range []string{"add", "delete", "set"} {
		require.Equal(t, http.StatusNotFound, beta.Post("/devices/"+id.String()+"/tree/"+route, url.Values{"path": {table + ".1"}, "value": {"x"}}).Status, route)
	}
	require.Equal(t, http.StatusNotFound, b.LoggedIn(t, b.AdminB).Post("/devices/"+id.String()+"/tree/refresh", url.Values{"path": {"InternetGatewayDevice.LANDevice.1.Hosts"}}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, viewer.Get("/devices/"+id.String()+"/tree?path=InternetGatewayDevice.*").Status)

	nb := webtest.Setup(t)
	dev := nb.Device(t, "HWTC0000A0C1", false)
	require.NoError(t, cpetest.SetGenieACS(ctx, nb.Pool, dev, "00259E-HG8245H-HWTC0000A0C1", "TR-098"))
	f := nb.LoggedIn(t, nb.AdminA).Get("/devices/" + dev.String() + "/tree")
	require.Equal(t, http.StatusOK, f.Status)
	require.Equal(t, "GenieACS is not configured on this installation.", f.TestID("tree-error").Text())
}
