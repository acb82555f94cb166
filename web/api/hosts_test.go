package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestDeviceHostsAPI: GET /cpe/devices/:id/hosts for any key role, POST
// .../hosts/refresh for technicians up; another organization's device is
// a 404.
func TestDeviceHostsAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	// Its periodic informs are off: their health provision would read the
	// hosts before the test asks.
	id, _ := b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	base := "/cpe/devices/" + id.String() + "/hosts"
	r := b.API(t, http.MethodGet, base, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Empty(t, r.Body["hosts"])
	require.Equal(t, http.StatusForbidden, b.Post(t, base+"/refresh", b.KeyViewerA, "").Status)
	r = b.Post(t, base+"/refresh", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "done", r.Body["status"])
	r = b.API(t, http.MethodGet, base, b.KeyViewerA, "")
	require.Len(t, r.Body["hosts"], 3)
	require.NotEmpty(t, r.Body["readAt"])
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, base, b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, base+"/refresh", b.KeyB, "").Status)
}
