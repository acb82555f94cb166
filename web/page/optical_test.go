package page_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestOpticalAlarmsOnTheBoardAndDashboard: an ONT whose received level is
// weak shows under Signal on the fault board (linked to its devices), is
// counted on the dashboard, and its page charts the levels; a board with
// none says every level is good.
func TestOpticalAlarmsOnTheBoardAndDashboard(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	id, gid := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	require.NoError(t, b.Sim.SetValue(gid, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", "-18.20"))
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	_, err := b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	var level string
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT optical_level FROM cpe_devices WHERE id = $1`, id).Scan(&level))
	require.Equal(t, "good", level)
	board := b.LoggedIn(t, b.AdminB).Get("/faults")
	require.Equal(t, "Every ONT's optical level is good.", board.TestID("no-signal-groups").Text())

	require.NoError(t, b.Sim.SetValue(gid, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", "-28.40"))
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	_, err = b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)

	// Signed in now: the dashboard's figures (cached 15 s) are computed
	// after the alarm.
	viewer := b.LoggedIn(t, b.ViewerA)
	board = viewer.Get("/faults")
	require.Equal(t, http.StatusOK, board.Status)
	g := board.TestID("signal-group")
	require.Equal(t, 1, g.Length())
	require.Equal(t, "weak", g.AttrOr("data-level", ""))
	require.Equal(t, "HG8245H", g.AttrOr("data-model", ""))
	require.Equal(t, "1", g.Find(`[data-testid="signal-group-count"]`).Text())
	require.Equal(t, "/devices?model=HG8245H&status=optical_alarm", g.Find(`[data-testid="signal-group-link"]`).AttrOr("href", ""))
	list := viewer.Get("/devices?model=HG8245H&status=optical_alarm")
	require.Contains(t, list.Body, id.String())

	dash := viewer.Get("/")
	require.Equal(t, "1", dash.TestID("stat-optical-alarm").Text())
	require.Equal(t, "/devices?status=optical_alarm", dash.TestID("stat-optical-alarm-link").AttrOr("href", ""))

	h := viewer.Get("/devices/" + id.String() + "/health")
	require.Equal(t, http.StatusOK, h.Status)
	chart := h.TestID("health-optical-chart")
	require.Equal(t, 1, chart.Length(), "the optical levels are charted")
	require.True(t, strings.Contains(h.TestID("health-optical").Text(), "received (dBm)"))
	require.Equal(t, 1, h.TestID("health-hosts").Length(), "so is the LAN host count")
}

// TestPONPortOnTheDevicePageAndBoard: an admin records a device's PON port
// on its page (a refused one re-renders the page with the banner and the
// typed value), technicians see it without a form and may not post it,
// and the fault board groups the ONTs in alarm by port, linked to the
// port's devices in alarm.
func TestPONPortOnTheDevicePageAndBoard(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	id, gid := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	require.NoError(t, b.Sim.SetValue(gid, "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower", "-31.40"))
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	_, err := b.Sync.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	devPath := "/devices/" + id.String()

	admin := b.LoggedIn(t, b.AdminA)
	require.Zero(t, admin.Get("/faults").TestID("signal-port").Length(), "no port recorded yet")
	p := admin.Post(devPath+"/pon-port", url.Values{"ponPort": {"OLT-1\t0/1/3"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, p.Body)
	require.Equal(t, "must be at most 64 printable characters", p.TestID("error-ponPort").Text())
	require.Equal(t, "true", p.TestID("pon-port-input").AttrOr("aria-invalid", ""))
	require.Contains(t, p.TestID("form-errors").Find(`a[data-field="ponPort"]`).Parent().Text(), "must be at most 64 printable characters",
		"the banner at the top names the field")
	require.Equal(t, "OLT-1\t0/1/3", p.TestID("pon-port-input").AttrOr("value", ""), "the typed value is kept")
	p = follow(t, admin, admin.Post(devPath+"/pon-port", url.Values{"ponPort": {"OLT-1 0/1/3"}}), devPath)
	require.Equal(t, "PON port recorded: OLT-1 0/1/3.", p.TestID("flash").Text())
	require.Equal(t, "OLT-1 0/1/3", p.TestID("pon-port-input").AttrOr("value", ""))

	tech := b.LoggedIn(t, b.TechA)
	tp := tech.Get(devPath)
	require.Zero(t, tp.TestID("pon-port-form").Length(), "technicians see the port, no form")
	require.Equal(t, "OLT-1 0/1/3", strings.TrimSpace(tp.TestID("device-pon-port").Text()))
	requireForbidden(t, tech.Post(devPath+"/pon-port", url.Values{"ponPort": {"OLT-9"}}), "a technician's PON port")

	board := tech.Get("/faults")
	port := board.TestID("signal-port")
	require.Equal(t, 1, port.Length())
	require.Equal(t, "OLT-1 0/1/3", port.AttrOr("data-port", ""))
	require.Equal(t, "1 of 1", port.Find(`[data-testid="signal-port-count"]`).Text())
	href := port.Find(`[data-testid="signal-port-link"]`).AttrOr("href", "")
	require.Equal(t, "/devices?pon_port=OLT-1+0%2F1%2F3&status=optical_alarm", href)
	list := tech.Get(href)
	require.Contains(t, list.Body, devPath)
	require.Equal(t, "OLT-1 0/1/3", list.TestID("filter-pon-port").AttrOr("value", ""))
	require.Zero(t, b.LoggedIn(t, b.AdminB).Get("/faults").TestID("signal-port").Length(), "another organization's board")
}
