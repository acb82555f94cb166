package page_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceHostsPages: the device page loads what is connected behind
// it; a technician has it read from the device and the panel lists the
// hosts; viewers read it without the button; another organization's
// device is a 404.
func TestDeviceHostsPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	id, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	viewer, tech := b.LoggedIn(t, b.ViewerA), b.LoggedIn(t, b.TechA)
	p := viewer.Get("/devices/" + id.String())
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.Doc.Find(`#hosts[hx-get="/devices/`+id.String()+`/hosts"]`).Length())

	f := viewer.Get("/devices/" + id.String() + "/hosts")
	require.Equal(t, http.StatusOK, f.Status, f.Body)
	require.Zero(t, f.TestID("hosts-refresh").Length(), "viewers only read")
	r := tech.HTMX("/devices/"+id.String()+"/hosts/refresh", url.Values{})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Refresh InternetGatewayDevice.LANDevice.1.Hosts: done.", r.TestID("hosts-note").Text())
	require.Equal(t, 3, r.Doc.Find(`[data-testid="host-row"]`).Length())
	require.Equal(t, 1, r.TestID("hosts-read").Length())

	require.Equal(t, http.StatusForbidden, viewer.Post("/devices/"+id.String()+"/hosts/refresh", url.Values{}).Status)
	beta := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusNotFound, beta.Get("/devices/"+id.String()+"/hosts").Status)
	require.Equal(t, http.StatusNotFound, beta.Post("/devices/"+id.String()+"/hosts/refresh", url.Values{}).Status)
}
