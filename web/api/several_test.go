package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestSeveralDevicesAPI: plans say whether a subscriber may have several
// devices; on such a plan a further device's assignment takes its own
// PPPoE login (422 naming the field without it), the device shows its
// username and never the password; technicians may assign, viewers not;
// another organization's device is a 404.
func TestSeveralDevicesAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/plans", b.KeyA, `{"name":"Biashara 2 lines","genieacsGroup":"biz-2","severalDevices":true}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	require.Equal(t, true, r.Body["severalDevices"])
	planID := r.Body["id"].(string)
	r = b.API(t, http.MethodGet, "/cpe/plans", b.KeyViewerA, "")
	require.Contains(t, r.Raw, `"severalDevices":true`)
	sub := b.SeedSubscriber(t, subscriber.Input{Username: "biashara", PPPoEUsername: "biashara@isp", PPPoEPassword: webtest.PPP1})
	r = b.API(t, http.MethodPut, "/cpe/subscribers/"+sub.ID.String(), b.KeyA, `{"username":"biashara","planId":"`+planID+`","pppoeUsername":"biashara@isp"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)

	one, two := b.Device(t, "HWTC0000E0E1", false).String(), b.Device(t, "HWTC0000E0E2", false).String()
	require.Equal(t, http.StatusAccepted, b.Post(t, "/cpe/devices/"+one+"/assign-subscriber", b.KeyA, `{"subscriber":"biashara"}`).Status, "saved; the push follows")
	r = b.Post(t, "/cpe/devices/"+two+"/assign-subscriber", b.KeyA, `{"subscriber":"biashara"}`)
	webtest.RequireInvalid(t, r, "pppoeUsername", "biashara is already on HWTC0000E0E1 and their plan allows several devices: this one needs its own PPPoE username")
	webtest.RequireInvalid(t, b.Post(t, "/cpe/devices/"+two+"/assign-subscriber", b.KeyA, `{"subscriber":"biashara","pppoeUsername":"biashara@ISP","pppoePassword":"`+webtest.PPP2+`"}`),
		"pppoeUsername", "is already the PPPoE username of subscriber biashara")
	require.Equal(t, http.StatusForbidden, b.Post(t, "/cpe/devices/"+two+"/assign-subscriber", b.KeyViewerA,
		`{"subscriber":"biashara","pppoeUsername":"biashara-2@isp","pppoePassword":"`+webtest.PPP2+`"}`).Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, "/cpe/devices/"+two+"/assign-subscriber", b.KeyB,
		`{"subscriber":"biashara","pppoeUsername":"biashara-2@isp","pppoePassword":"`+webtest.PPP2+`"}`).Status)

	r = b.Post(t, "/cpe/devices/"+two+"/assign-subscriber", b.KeyA, `{"subscriber":"biashara","pppoeUsername":"biashara-2@isp","pppoePassword":"`+webtest.PPP2+`"}`)
	require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
	require.Equal(t, "biashara-2@isp", r.Body["linePppoeUsername"])
	got := b.API(t, http.MethodGet, "/cpe/devices/"+two, b.KeyViewerA, "")
	require.Equal(t, "biashara-2@isp", got.Body["linePppoeUsername"])
	b.NoSecrets(t, r.Raw, got.Raw, b.API(t, http.MethodGet, "/cpe/devices?limit=50", b.KeyA, "").Raw)
	require.False(t, strings.Contains(b.Dump(t, "audit_log"), webtest.PPP2), "the audit never holds the password")
}
