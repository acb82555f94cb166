package page_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/webtest"
)

var zteFields = [][2]string{{"oui", "344b50"}, {"productClass", "F660"}, {"version", "V6.0.10P2T2"}}

func TestFirmwarePage(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	img := []byte(strings.Repeat("firmware-bytes-", 1000))

	br := b.LoggedIn(t, b.AdminA)
	p := br.Get("/firmware")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("no-images").Length())
	require.Equal(t, 1, p.TestID("upload-form").Length())
	require.Equal(t, "262144", p.TestID("upload-file").AttrOr("data-max-bytes", ""), "the browser refuses a file over the limit before sending it")

	// htmx upload: the library section comes back with the image.
	p = br.UploadForm("/firmware", zteFields, "F660_V6.0.10P2T2.bin", img, true)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	require.Contains(t, p.TestID("flash").Text(), "Uploaded F660_V6.0.10P2T2.bin")
	require.Equal(t, 1, p.TestID("image-row").Length())
	require.Equal(t, "V6.0.10P2T2", p.TestID("image-version").Text())
	require.Equal(t, "0 of 0", p.TestID("image-devices").Text())
	require.Equal(t, 0, p.Doc.Find("h1").Length(), "a fragment, not a page")
	_, size, ok := b.Sim.File("acme_F660_V6.0.10P2T2.bin")
	require.True(t, ok)
	require.Equal(t, int64(len(img)), size)

	// A plain form post (no JavaScript): the token is the form's first
	// part, the answer a redirect to the page with the flash.
	br.Get("/firmware")
	p = br.UploadForm("/firmware", zteFields, "F660_V6.0.11.bin", img, false)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = br.Get("/firmware")
	require.Contains(t, p.TestID("flash").Text(), "Uploaded F660_V6.0.11.bin")
	require.Equal(t, 2, p.TestID("image-row").Length())

	// Errors are shown beside their fields, the values kept.
	p = br.UploadForm("/firmware", [][2]string{{"oui", "zz"}, {"productClass", "F660"}, {"version", "1"}}, "x.bin", img, true)
	require.Equal(t, http.StatusOK, p.Status)
	require.NotEmpty(t, p.TestID("error-oui").Text())
	require.Equal(t, "F660", p.TestID("upload-model").AttrOr("value", ""))
	p = br.UploadForm("/firmware", zteFields, "F660_V6.0.10P2T2.bin", img, true)
	require.Contains(t, p.TestID("error-filename").Text(), "exists")
	p = br.UploadForm("/firmware", zteFields, "big.bin", make([]byte, 256<<10+1), true)
	require.Contains(t, p.TestID("error-file").Text(), "larger than the upload limit of 256.0 KiB")
	_, _, ok = b.Sim.File("acme_big.bin")
	require.False(t, ok, "nothing of it stays in GenieACS")
	p = br.UploadForm("/firmware", zteFields, "big.bin", make([]byte, 256<<10+1), false)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, "a plain post gets the page with the error")
	require.NotEmpty(t, p.TestID("error-file").Text())

	// Without the token: refused, nothing stored.
	br.CSRF = "forged"
	p = br.UploadForm("/firmware", zteFields, "forged.bin", img, false)
	require.Equal(t, http.StatusForbidden, p.Status)
	_, _, ok = b.Sim.File("acme_forged.bin")
	require.False(t, ok)

	// Delete names what it deletes.
	p = br.Get("/firmware")
	form := p.TestID("image-delete").First().Closest("form")
	require.Contains(t, form.AttrOr("data-confirm", ""), "version")
	action := form.AttrOr("action", "")
	p = br.Post(action, nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = br.Get("/firmware")
	require.Contains(t, p.TestID("flash").Text(), "Deleted")
	require.Equal(t, 1, p.TestID("image-row").Length())

	// A viewer and a technician see the library without the forms, and
	// cannot upload or delete; another organization sees none of it.
	for _, u := range []user.User{b.ViewerA, b.TechA} {
		vb := b.LoggedIn(t, u)
		p = vb.Get("/firmware")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("image-row").Length())
		require.Equal(t, 0, p.TestID("upload-form").Length())
		require.Equal(t, 0, p.TestID("image-delete").Length())
		p = vb.UploadForm("/firmware", zteFields, "tech.bin", img, true)
		require.Equal(t, "main", p.Header.Get("HX-Retarget"), "htmx shows the refusal at the top of the page")
		require.Contains(t, p.TestID("error").Text(), "role does not allow")
		p = vb.UploadForm("/firmware", zteFields, "tech.bin", img, false)
		require.Equal(t, http.StatusForbidden, p.Status)
		_, _, ok = b.Sim.File("acme_tech.bin")
		require.False(t, ok)
		p = vb.Post(action, nil)
		require.Equal(t, http.StatusForbidden, p.Status)
	}
	ob := b.LoggedIn(t, b.AdminB)
	p = ob.Get("/firmware")
	require.Equal(t, 1, p.TestID("no-images").Length())
	p = ob.Post(action, nil)
	require.Equal(t, http.StatusNotFound, p.Status, "another organization's image is not there")
}
