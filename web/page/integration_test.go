package page_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/web/webtest"
)

// The Integration page runs the checks for the operator organization's
// owners and admins, and one device's checklist from its search box; the
// device page's checklist is any staff's, for their own devices.
func TestIntegrationPage(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	id, gid := b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)

	br := b.LoggedIn(t, b.OwnerA)
	p := br.Get("/admin/integration")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "ok", p.Doc.Find(`[data-testid="check-nbi"]`).AttrOr("data-status", ""))
	require.Contains(t, p.Doc.Find(`[data-testid="check-nbi"]`).Text(), acssim.GenieACSVersion)
	// No sync pass has run: the summary says so at the top, linking the check.
	sum := p.TestID("checks-summary")
	require.Equal(t, "false", sum.AttrOr("data-ok", ""))
	require.Equal(t, "alert", sum.AttrOr("role", ""))
	require.Equal(t, 1, sum.Find(`a[href="#check-sync"]`).Length())
	require.Equal(t, "fail", p.Doc.Find(`[data-testid="check-sync"]`).AttrOr("data-status", ""))
	require.Contains(t, p.Doc.Find(`[data-testid="check-sync"] [data-testid="check-fix"]`).Text(), "worker")
	require.Equal(t, 7, p.TestID("item-row").Length())
	require.Equal(t, 60, p.Doc.Find(`[data-testid="identify-minutes"] rect[data-answered]`).Length())
	require.Equal(t, 1, p.TestID("bootstrap-run").Length(), "the bootstrap preset is missing: the page offers the fix")

	// One device, by its GenieACS id.
	p = br.Get("/admin/integration?device=" + url.QueryEscape(gid))
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("checklist").Length())
	require.Equal(t, "/devices/"+id.String(), p.TestID("checklist-device").AttrOr("href", ""))
	require.Equal(t, "ok", p.Doc.Find(`[data-testid="checklist"] [data-testid="check-identified"]`).AttrOr("data-status", ""))
	p = br.Get("/admin/integration?device=no-such-device")
	require.Equal(t, "No device with that serial or id in FyberPay, nor with that id in GenieACS.", p.TestID("device-error").Text())

	// The device page's checklist.
	p = br.Get("/devices/" + id.String())
	require.Equal(t, "/devices/"+id.String()+"/checklist", p.TestID("troubleshoot-link").AttrOr("href", ""))
	p = b.LoggedIn(t, b.ViewerA).Get("/devices/" + id.String() + "/checklist")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "warn", p.Doc.Find(`[data-testid="check-subscriber"]`).AttrOr("data-status", ""))

	// A connection request from the checklist page: technicians may, viewers
	// may not, a tenant does not find the device.
	tech := b.LoggedIn(t, b.TechA)
	require.Equal(t, 1, tech.Get("/devices/"+id.String()+"/checklist").TestID("wake-run").Length())
	p = tech.Post("/devices/"+id.String()+"/wake", nil)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	require.Contains(t, p.Body, "Connection request: the device answered")
	require.Equal(t, "ok", p.Doc.Find(`[data-testid="check-wake"]`).AttrOr("data-status", ""))
	require.Equal(t, 0, b.LoggedIn(t, b.ViewerA).Get("/devices/"+id.String()+"/checklist").TestID("wake-run").Length())
	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.ViewerA).Post("/devices/"+id.String()+"/wake", nil).Status)
	require.Equal(t, http.StatusNotFound, b.LoggedIn(t, b.AdminB).Post("/devices/"+id.String()+"/wake", nil).Status)

	// Installation-wide: not for technicians, nor for a tenant, whose
	// staff do not find the operator's devices either.
	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.TechA).Get("/admin/integration").Status)
	tenant := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusForbidden, tenant.Get("/admin/integration").Status)
	require.Equal(t, http.StatusNotFound, tenant.Get("/devices/"+id.String()+"/checklist").Status)
	require.Equal(t, http.StatusNotFound, br.Get("/devices/not-a-uuid/checklist").Status)
}
