package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestFirmwareDeploymentPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 30)
	for i := range 2 {
		b.SimDevice(t, b.OrgA, "HG8245H", i)
	}
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/firmware")
	p := br.UploadForm("/firmware", [][2]string{{"oui", "00259E"}, {"productClass", "HG8245H"}, {"version", "V-PAGE"}}, "HG8245H_V-PAGE.bin",
		[]byte(strings.Repeat("x", 4096)), false)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = br.Get("/firmware")
	deploy := p.TestID("image-deploy").AttrOr("href", "")
	require.Contains(t, deploy, "/firmware/deploy?image=")
	imageID := strings.TrimPrefix(deploy, "/firmware/deploy?image=")

	p = br.Get(deploy)
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, "10, 100", p.TestID("deploy-waves").AttrOr("value", ""))
	form := url.Values{"image": {imageID}, "waves": {"50, 100"}, "maxInFlight": {"2"}, "onlyOutdated": {"true"},
		"failureRatePercent": {"10"}, "minDevices": {"5"}, "offlineGraceMinutes": {"30"}}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("waves", "50, 20")
	p = br.Post("/firmware/deploy", bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-waves").Text())
	bad.Set("waves", "50, 100")
	bad.Set("window", "true")
	bad.Set("timezone", "Mars/Olympus")
	bad.Set("from", "01:00")
	bad.Set("to", "05:00")
	p = br.Post("/firmware/deploy", bad)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.TestID("error-window.timezone").Text(), "Mars/Olympus")

	preview := url.Values{"dryRun": {"true"}}
	for k, v := range form {
		preview[k] = v
	}
	p = br.Post("/firmware/deploy", preview)
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.TestID("deploy-preview-text").Text(), "2 HG8245H devices would get HG8245H_V-PAGE.bin")
	require.Contains(t, p.TestID("deploy-form").AttrOr("data-confirm", ""), "to 2 devices", "the confirmation names how many")
	require.Zero(t, b.Count(t, `SELECT count(*) FROM firmware_deployments`))

	p = br.Post("/firmware/deploy", form)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	detail := p.Header.Get("Location")
	require.Contains(t, detail, "/firmware/deployments/")
	p = br.Get(detail)
	require.Contains(t, p.TestID("flash").Text(), "Deploying HG8245H_V-PAGE.bin to 2 devices")
	require.Equal(t, 2, p.TestID("wave").Length())
	require.True(t, webtest.Wait(60*time.Second, func() bool {
		p = br.Get(detail + "/progress")
		return p.TestID("deployment-state").Text() == "completed"
	}), "the progress fragment reaches completed by itself")
	require.Equal(t, "100 %", p.TestID("deployment-percent").Text())
	require.Equal(t, "2", p.TestID("count-upgraded").Text())
	_, live := p.TestID("deployment-progress").Attr("hx-trigger")
	require.False(t, live, "a finished deployment stops polling")
	p = br.Get("/firmware/deployments")
	require.Equal(t, 1, p.TestID("deployment-row").Length())

	// A viewer follows it but cannot deploy or act; beta sees none of it.
	vb := b.LoggedIn(t, b.ViewerA)
	require.Equal(t, http.StatusOK, vb.Get(detail).Status)
	require.Equal(t, 0, vb.Get(detail).TestID("deployment-pause").Length())
	require.Equal(t, http.StatusForbidden, vb.Get("/firmware/deploy").Status)
	require.Equal(t, http.StatusForbidden, vb.Post("/firmware/deploy", form).Status)
	require.Equal(t, http.StatusForbidden, vb.Post(detail+"/pause", nil).Status)
	ob := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusNotFound, ob.Get(detail).Status)
	require.Equal(t, http.StatusNotFound, ob.Post(detail+"/cancel", nil).Status)
	require.Equal(t, 0, ob.Get("/firmware/deployments").TestID("deployment-row").Length())
	require.Equal(t, http.StatusConflict, br.Post(detail+"/cancel", nil).Status, "a completed deployment cannot be cancelled")
}
