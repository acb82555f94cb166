package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestMissingCapabilitiesAre422: the device's capabilities are in its
// JSON; an action or an assignment it cannot take is a 422 naming the
// capability, before anything is sent; roles and tenancy come first.
func TestMissingCapabilitiesAre422(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("gwen")})
	// A device whose periodic informs are off: GenieACS knows its
	// bootstrap only.
	fresh, _ := b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	gw, _ := b.JudgedSimDevice(t, b.OrgA, acssim.ProfileTendaN301)
	base := "/cpe/devices/" + gw.String()

	r := b.API(t, http.MethodGet, base, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, map[string]any{"wifi_2g": true, "hosts": false}, r.Body["capabilities"])

	for _, tc := range []struct{ path, body, capability string }{
		{"/ping", `{"host":"8.8.8.8"}`, "ping"},
		{"/traceroute", `{"host":"8.8.8.8"}`, "traceroute"},
		{"/speed-test", `{}`, "download_test"},
		{"/upload-test", `{"uploadUrl":"http://127.0.0.1/up"}`, "upload_test"},
		{"/wifi", `{"ssid":"Gw-5","password":"gateway-pass-5","band":"5GHz"}`, "wifi_5g"},
		{"/assign-subscriber", `{"subscriber":"gwen"}`, "pppoe"},
	} {
		r := b.API(t, http.MethodPost, base+tc.path, b.KeyA, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, tc.path+": "+r.Raw)
		require.Equal(t, "missing_capability", r.ErrCode(), tc.path)
		require.Equal(t, map[string]any{"capability": tc.capability}, r.ErrFields(), tc.path)
		require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPost, base+tc.path, b.KeyViewerA, tc.body).Status, tc.path)
		require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPost, base+tc.path, b.KeyB, tc.body).Status, tc.path)
	}
	r = b.API(t, http.MethodPost, base+"/assign-subscriber", b.KeyA, `{"subscriber":"gwen"}`)
	require.Contains(t, r.ErrMessage(), "this device has no PPP connection; PPPoE cannot be pushed")
	require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_tasks WHERE device_id = $1`, gw))
	require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_devices WHERE id = $1 AND subscriber_id IS NOT NULL`, gw))

	// A device not judged yet (GenieACS has not discovered its objects):
	// null, and nothing is refused in advance.
	r = b.API(t, http.MethodGet, "/cpe/devices/"+fresh.String(), b.KeyViewerA, "")
	require.Nil(t, r.Body["capabilities"])
	r = b.API(t, http.MethodPost, "/cpe/devices/"+fresh.String()+"/assign-subscriber", b.KeyA, `{"subscriber":"gwen"}`)
	require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
}
