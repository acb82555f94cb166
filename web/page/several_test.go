package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestSeveralDevicesPages: a plan is marked for several devices per
// subscriber on the Plans page; on the device page a further device of
// such a subscriber is refused until given its own PPPoE login (the form
// opens those fields, keeps the username, never the password), then shows
// it.
func TestSeveralDevicesPages(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	admin := b.LoggedIn(t, b.AdminA)
	p := admin.Post("/plans", url.Values{"name": {"Biashara 2 lines"}, "genieacsGroup": {"biz-2"}, "severalDevices": {"true"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = admin.Get("/plans")
	require.Equal(t, "several", strings.TrimSpace(p.TestID("plan-devices").First().Text()))
	svc, ctx := b.Catalog()
	plans, err := svc.ListPlans(ctx, testfactory.Actor(b.AdminA))
	require.NoError(t, err)
	require.True(t, plans[0].SeveralDevices)
	b.SeedSubscriber(t, subscriber.Input{Username: "biashara", PlanID: &plans[0].ID, PPPoEUsername: "biashara@isp", PPPoEPassword: webtest.PPP1})
	one, two := b.Device(t, "HWTC0000F0F1", false), b.Device(t, "HWTC0000F0F2", false)
	require.Equal(t, http.StatusSeeOther, admin.Post("/devices/"+one.String()+"/assign", url.Values{"subscriber": {"biashara"}}).Status)

	tech := b.LoggedIn(t, b.TechA)
	p = tech.Post("/devices/"+two.String()+"/assign", url.Values{"subscriber": {"biashara"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	_, open := p.TestID("assign-line").Attr("open")
	require.True(t, open, "the own-login fields open")
	require.Contains(t, p.TestID("form-errors").Text(), "this one needs its own PPPoE username")
	p = tech.Post("/devices/"+two.String()+"/assign", url.Values{"subscriber": {"biashara"}, "pppoeUsername": {"biashara-2@isp"}, "pppoePassword": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Equal(t, "biashara-2@isp", p.TestID("assign-line-username").AttrOr("value", ""), "the username is kept")
	require.Empty(t, p.TestID("assign-line-password").AttrOr("value", ""))
	p = tech.Post("/devices/"+two.String()+"/assign", url.Values{"subscriber": {"biashara"}, "pppoeUsername": {"biashara-2@isp"}, "pppoePassword": {webtest.PPP2}})
	p = follow(t, tech, p, "/devices/"+two.String())
	require.Equal(t, "Assigned to biashara with this device's own PPPoE login biashara-2@isp; pushing it to the device.", p.TestID("flash").Text())
	require.Equal(t, "biashara-2@isp", p.TestID("device-line").Text())
	b.NoSecrets(t, p.Body)

	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.ViewerA).Post("/devices/"+two.String()+"/assign", url.Values{"subscriber": {"biashara"}}).Status)
	require.Equal(t, http.StatusNotFound, b.LoggedIn(t, b.AdminB).Post("/devices/"+two.String()+"/assign", url.Values{"subscriber": {"biashara"}}).Status)
}
