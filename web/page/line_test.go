package page_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceLine: the device page opens with what support asks first —
// status and last inform from FyberPay, then Wi-Fi names, WAN and uptime as
// GenieACS last read them (a fragment); viewers see it, another
// organization's device is a 404, and without GenieACS the page says so.
func TestDeviceLine(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	ctx := context.Background()
	id, gid := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"), "the health provision reads the line")
	informed := time.Now().Add(-3*time.Minute - 10*time.Second)
	require.NoError(t, cpetest.SetLastInform(ctx, b.Pool, []uuid.UUID{id}, &informed))
	viewer := b.LoggedIn(t, b.ViewerA)

	p := viewer.Get("/devices/" + id.String())
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	glance := p.TestID("at-a-glance")
	require.Equal(t, 1, glance.Length())
	require.Regexp(t, `^last inform 3 min ago$`, strings.TrimSpace(glance.Find(`[data-testid="last-inform"]`).Text()))
	require.NotEmpty(t, glance.Find(`[data-testid="last-inform"] time`).AttrOr("title", ""), "the exact time on hover")
	require.Equal(t, "/devices/"+id.String()+"/line", glance.Find("#line").AttrOr("hx-get", ""))

	f := viewer.Get("/devices/" + id.String() + "/line")
	require.Equal(t, http.StatusOK, f.Status, f.Body)
	ssid, ok := b.Sim.Value(gid, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")
	require.True(t, ok)
	require.Equal(t, "2.4 GHz "+fmt.Sprint(ssid), strings.TrimSpace(f.TestID("line-ssid24").Text()))
	require.Regexp(t, `^PPPoE · \S+ · \S+`, strings.TrimSpace(f.TestID("line-wan").Text()))
	require.Regexp(t, `^(under a minute|\d+ (min|h|days?))`, strings.TrimSpace(f.TestID("line-uptime").Text()))
	require.Zero(t, f.TestID("line-error").Length())
	require.Regexp(t, `^Rx -\d+\.\d\d dBm good ?Tx \d+\.\d\d dBm$`, strings.Join(strings.Fields(f.TestID("line-optical").Text()), " "),
		"a Huawei ONT's optical power, judged")

	require.Equal(t, http.StatusNotFound, b.LoggedIn(t, b.AdminB).Get("/devices/"+id.String()+"/line").Status)
	require.Equal(t, http.StatusNotFound, viewer.Get("/devices/not-a-uuid/line").Status)

	// Without GenieACS.
	nb := webtest.Setup(t)
	dev := nb.Device(t, "HWTC0000A0B1", false)
	admin := nb.LoggedIn(t, nb.AdminA)
	f = admin.Get("/devices/" + dev.String() + "/line")
	require.Equal(t, http.StatusOK, f.Status, f.Body)
	require.Equal(t, "not read yet", strings.TrimSpace(f.TestID("line-wan").Text()), "a device that never informed")
	require.NoError(t, cpetest.SetGenieACS(ctx, nb.Pool, dev, "00259E-HG8245H-HWTC0000A0B1", "TR-098"))
	f = admin.Get("/devices/" + dev.String() + "/line")
	require.Equal(t, http.StatusOK, f.Status, f.Body)
	require.Equal(t, "GenieACS is not configured on this installation.", f.TestID("line-error").Text())
}
