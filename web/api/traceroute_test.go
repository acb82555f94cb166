package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestTracerouteAPI: POST /cpe/devices/:id/traceroute runs a TR-143
// traceroute; the task ends done and GET .../diagnostics lists the hops;
// bad fields are 422 by name, an unknown field 400, viewers 403, another
// organization's device 404.
func TestTracerouteAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	hw, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	path := "/cpe/devices/" + hw.String()

	r := b.Post(t, path+"/traceroute", b.KeyA, `{"host":"example.com","maxHops":20,"tries":1}`)
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, r.Status, r.Raw)
	require.Equal(t, "traceroute to example.com", r.Body["summary"])
	done := b.WaitTask(t, b.KeyA, r.Body["id"].(string), action.StatusDone)
	require.Regexp(t, `^\d hops to example\.com`, done.Body["message"])
	d := b.API(t, http.MethodGet, path+"/diagnostics", b.KeyViewerA, "")
	tr := d.Body["traceroute"].(map[string]any)
	hops := tr["hops"].([]any)
	require.GreaterOrEqual(t, len(hops), 4)
	last := hops[len(hops)-1].(map[string]any)
	require.Equal(t, "example.com", last["host"])
	require.Len(t, last["rtTimesMs"], 1, "one try")

	webtest.RequireInvalid(t, b.Post(t, path+"/traceroute", b.KeyA, `{}`), "host", "is required")
	webtest.RequireInvalid(t, b.Post(t, path+"/traceroute", b.KeyA, `{"host":"example.com","maxHops":65}`), "maxHops", "must be between 1 and 64")
	webtest.RequireInvalid(t, b.Post(t, path+"/traceroute", b.KeyA, `{"host":"example.com","tries":9}`), "tries", "must be between 1 and 3")
	require.Equal(t, http.StatusBadRequest, b.Post(t, path+"/traceroute", b.KeyA, `{"host":"example.com","hops":3}`).Status)
	require.Equal(t, http.StatusForbidden, b.Post(t, path+"/traceroute", b.KeyViewerA, `{"host":"example.com"}`).Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, path+"/traceroute", b.KeyB, `{"host":"example.com"}`).Status)
}
