package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// TestOrganizationAPI: GET /cpe/organization for any key; PUT its time zone
// for owner/admin keys, 422 naming the field for a bad one; each key sees
// its own organization.
func TestOrganizationAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodGet, "/cpe/organization", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "acme", r.Body["slug"])
	require.Equal(t, "", r.Body["timeZone"])

	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPut, "/cpe/organization", b.KeyViewerA, `{"timeZone":"Africa/Nairobi"}`).Status)
	r = b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"timeZone":"Nairobi"}`)
	webtest.RequireInvalid(t, r, "timeZone", "must be an IANA time zone such as Africa/Nairobi")
	r = b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"timeZone":""}`)
	webtest.RequireInvalid(t, r, "timeZone", "is required")
	require.Equal(t, http.StatusBadRequest, b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"tz":"UTC"}`).Status, "unknown field")

	r = b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"timeZone":"Africa/Nairobi"}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "Africa/Nairobi", r.Body["timeZone"])
	// Optical thresholds: defaults, a change of one, refusals.
	require.Equal(t, -27.0, r.Body["opticalWeakDbm"])
	r = b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"opticalWeakDbm":-25}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, -25.0, r.Body["opticalWeakDbm"])
	require.Equal(t, -30.0, r.Body["opticalCriticalDbm"], "the others stay")
	require.Equal(t, "Africa/Nairobi", r.Body["timeZone"])
	webtest.RequireInvalid(t, b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"opticalCriticalDbm":-20}`),
		"opticalCriticalDbm", "must be below the weak threshold")
	webtest.RequireInvalid(t, b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{"opticalOverloadDbm":40}`),
		"opticalOverloadDbm", "must be between -60 and 10 dBm")
	webtest.RequireInvalid(t, b.API(t, http.MethodPut, "/cpe/organization", b.KeyA, `{}`), "timeZone", "give timeZone or the optical thresholds to change")
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPut, "/cpe/organization", b.KeyViewerA, `{"opticalWeakDbm":-26}`).Status)

	r = b.API(t, http.MethodGet, "/cpe/organization", b.KeyB, "")
	require.Equal(t, "beta", r.Body["slug"])
	require.Equal(t, "", r.Body["timeZone"], "another organization's is its own")
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/organization", "", "").Status)
}
