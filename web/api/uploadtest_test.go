package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// TestUploadTestAPI: POST /cpe/devices/:id/upload-test runs a TR-143
// upload test (done with the upstream rate, or 202 while the device runs
// it); 422 names the field; viewers 403; another organization's device
// 404.
func TestUploadTestAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	id, _ := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	path := "/cpe/devices/" + id.String() + "/upload-test"
	r := b.Post(t, path, b.KeyA, `{"uploadUrl":"http://speed.isp.example/up","mib":2}`)
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, r.Status, r.Raw)
	require.Equal(t, "upload test of 2 MiB to speed.isp.example/up", r.Body["summary"])
	done := b.WaitTask(t, b.KeyA, r.Body["id"].(string), "done")
	require.Regexp(t, `^\d+\.\d Mbps up$`, done.Body["message"])
	webtest.RequireInvalid(t, b.Post(t, path, b.KeyA, `{"uploadUrl":"ftp://x"}`), "uploadUrl", "must be an http:// or https:// URL")
	require.Equal(t, http.StatusBadRequest, b.Post(t, path, b.KeyA, `{"uploadUrl":"http://x/y","mib":0.5}`).Status, "mib is a whole number")
	webtest.RequireInvalid(t, b.Post(t, path, b.KeyA, `{"uploadUrl":"http://x/y","mib":4096}`), "mib", "must be between 1 and 1024")
	require.Equal(t, http.StatusForbidden, b.Post(t, path, b.KeyViewerA, `{"uploadUrl":"http://x/y"}`).Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, path, b.KeyB, `{"uploadUrl":"http://x/y"}`).Status)
}
