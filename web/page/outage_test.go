package page_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/web/webtest"
)

// While GenieACS does not answer, every staff page says so at the top and
// since when, the banner's fragment says the same for its poll, and an
// action taken meanwhile says it is queued until GenieACS is back; when
// GenieACS answers again the banner goes.
func TestOutageBanner(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	dev, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	admin, viewer := b.LoggedIn(t, b.AdminA), b.LoggedIn(t, b.ViewerA)
	banner := func(p webtest.Page) string {
		t.Helper()
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		require.Equal(t, 1, p.Doc.Find("#outage").Length(), "the banner's slot polls on every staff page")
		return strings.TrimSpace(p.TestID("outage-banner").Text())
	}
	require.NoError(t, b.ACS.Probe(ctx))
	require.Empty(t, banner(admin.Get("/")))
	require.Empty(t, banner(admin.Get("/status/genieacs")))

	b.Sim.SetFailure(acssim.Failure{Drop: true})
	require.Error(t, b.ACS.Probe(ctx))
	require.Empty(t, banner(admin.Get("/")), "one failed call is not an outage")
	require.Error(t, b.ACS.Probe(ctx))
	for _, p := range []webtest.Page{admin.Get("/"), admin.Get("/devices"), viewer.Get("/tasks"), admin.Get("/status/genieacs")} {
		require.Regexp(t, `^GenieACS is unreachable since \d\d:\d\d UTC \(under a minute\); actions are queued and will be sent when it is back\.$`, banner(p))
	}
	sys := admin.Get("/admin/system")
	require.Regexp(t, `^no\s+not answering since \d{4}-\d\d-\d\d \d\d:\d\d UTC$`, strings.TrimSpace(sys.TestID("genieacs-reachable").Text()))
	p := follow(t, admin, admin.Post("/devices/"+dev.String()+"/reboot", nil), "/devices/"+dev.String())
	require.Equal(t, "Reboot: queued until GenieACS is back — GenieACS did not answer; trying again shortly.", p.TestID("flash").Text())
	require.Equal(t, "sending", taskStatus(p, "reboot"), "its badge while it waits in FyberPay")

	b.Sim.SetFailure(acssim.Failure{})
	// The System page asks GenieACS itself, and so ends the outage.
	sys = admin.Get("/admin/system")
	require.Regexp(t, `^yes\s+answered just now$`, strings.TrimSpace(sys.TestID("genieacs-reachable").Text()))
	require.Empty(t, banner(admin.Get("/")))
	require.Empty(t, banner(admin.Get("/status/genieacs")))

	// The fragment is for signed-in staff only.
	anon := b.Browser(t)
	require.Equal(t, http.StatusSeeOther, anon.Get("/status/genieacs").Status)
}
