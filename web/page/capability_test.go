package page_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestDevicePageDisablesWhatTheDeviceCannotDo: on the plain IP gateway the
// PPPoE assignment, ping and both tests are disabled, each saying why in
// one line, and 5 GHz cannot be chosen; the capability list says what it
// can do. A full ONT's page disables nothing; a device not judged yet says
// so and disables nothing.
func TestDevicePageDisablesWhatTheDeviceCannotDo(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("gwen")})
	fresh, _ := b.QuietSimDevice(t, b.OrgA, acssim.ProfileZTEF660)
	gw, _ := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileTendaN301)
	ont, _ := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	admin := b.LoggedIn(t, b.AdminA)

	p := admin.Get("/devices/" + gw.String())
	require.Equal(t, http.StatusOK, p.Status)
	for _, tc := range []struct{ button, capability, why string }{
		{"assign-submit", "pppoe", "this device has no PPP connection; PPPoE cannot be pushed"},
		{"ping-submit", "ping", "this device has no ping diagnostics (IPPing); a ping cannot run"},
		{"traceroute-submit", "traceroute", "this device has no traceroute diagnostics; a traceroute cannot run"},
		{"speed-submit", "download_test", "this device has no download diagnostics; a download test cannot run"},
		{"uptest-submit", "upload_test", "this device has no upload diagnostics; an upload test cannot run"},
	} {
		_, disabled := p.TestID(tc.button).Attr("disabled")
		require.True(t, disabled, tc.button)
		require.Equal(t, tc.why, p.TestID("cannot-"+tc.capability).Text())
	}
	_, disabled := p.TestID("wifi-submit").Attr("disabled")
	require.False(t, disabled, "it has 2.4 GHz")
	_, disabled = p.TestID("wifi-band").Find(`option[value="5GHz"]`).Attr("disabled")
	require.True(t, disabled, "but not 5 GHz")
	require.Equal(t, "yes", p.TestID("cap-wifi_2g").AttrOr("data-state", ""))
	require.Equal(t, "yes", p.TestID("cap-hosts").AttrOr("data-state", ""))
	require.Equal(t, "no", p.TestID("cap-pppoe").AttrOr("data-state", ""))
	require.Equal(t, "this device has no PPP connection; PPPoE cannot be pushed", p.TestID("cap-pppoe").AttrOr("title", ""))
	require.Equal(t, "no", p.TestID("cap-optical").AttrOr("data-state", ""))

	// Posting anyway (a stale page): refused with the reason, nothing saved.
	r := admin.Post("/devices/"+gw.String()+"/assign", url.Values{"subscriber": {"gwen"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "this device has no PPP connection")
	require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_devices WHERE id = $1 AND subscriber_id IS NOT NULL`, gw))

	p = admin.Get("/devices/" + ont.String())
	require.Equal(t, 1, p.Doc.Find(`[data-testid^="cannot-"]`).Length(), "an ONT can do all of it but a Wi-Fi scan")
	require.Equal(t, "this device has no neighbouring Wi-Fi diagnostic; a Wi-Fi scan cannot run", p.TestID("cannot-neighbour_scan").Text())
	require.Equal(t, 1, p.Doc.Find(`button[disabled]`).Length())
	_, disabled = p.TestID("scan-submit").Attr("disabled")
	require.True(t, disabled)
	require.Equal(t, "yes", p.TestID("cap-optical").AttrOr("data-state", ""))

	p = admin.Get("/devices/" + fresh.String())
	require.True(t, strings.HasPrefix(strings.TrimSpace(p.TestID("capabilities-unknown").Text()), "Not known yet"))
	require.Zero(t, p.Doc.Find(`[data-testid^="cannot-"]`).Length())

	// The diagnostics panel says which tests the gateway cannot run.
	diag := admin.Get("/devices/" + gw.String() + "/diagnostics")
	for _, id := range []string{"diag-download-state", "diag-upload-state", "diag-ping-state"} {
		require.Equal(t, "not supported by this device", diag.TestID(id).Text(), id)
	}
	require.Equal(t, "never run", admin.Get("/devices/"+ont.String()+"/diagnostics").TestID("diag-ping-state").Text())

	// Hosts: the fragment says why a device without a hosts table has
	// none (the gateway has one).
	h := admin.Get("/devices/" + gw.String() + "/hosts")
	require.Zero(t, h.TestID("cannot-hosts").Length())
}
