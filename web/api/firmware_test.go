package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/web/webtest"
)

// image is n bytes of a test image.
func image(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func uploadJSON(t *testing.T, b *webtest.Bundle, key, filename string, data []byte) webtest.APIResp {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"filename": filename, "oui": "00259e", "productClass": "HG8245H",
		"version": "V3R017C10S135", "data": base64.StdEncoding.EncodeToString(data)})
	return b.API(t, http.MethodPost, "/cpe/firmware/upload", key, string(body))
}

// multipartBody is an upload form: fields in order, then the file (when
// file is not nil); fileFirst puts the file before the fields.
func multipartBody(fields [][2]string, filename string, file []byte, fileFirst bool) (string, io.Reader) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	writeFile := func() {
		if file != nil {
			fw, _ := w.CreateFormFile("file", filename)
			_, _ = fw.Write(file)
		}
	}
	if fileFirst {
		writeFile()
	}
	for _, f := range fields {
		_ = w.WriteField(f[0], f[1])
	}
	if !fileFirst {
		writeFile()
	}
	_ = w.Close()
	return w.FormDataContentType(), &buf
}

func uploadMultipart(t *testing.T, b *webtest.Bundle, key, contentType string, body io.Reader) webtest.APIResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.Srv.URL+"/cpe/firmware", body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := webtest.APIResp{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.Body), "%s", raw)
	}
	return r
}

var hgFields = [][2]string{{"oui", "00259E"}, {"productClass", "HG8245H"}, {"version", "V3R017C10S135"}}

func TestAPIFirmwareLibrary(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()

	// The spec's JSON body.
	img := image(40 << 10)
	r := uploadJSON(t, b, b.KeyA, "HG8245H_V3R017C10S135.bin", img)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, "acme_HG8245H_V3R017C10S135.bin", r.Body["storedName"])
	require.Equal(t, "00259E", r.Body["oui"], "upper-cased as devices report it")
	require.Equal(t, float64(len(img)), r.Body["size"])
	require.Equal(t, sum(img), r.Body["sha256"])
	require.NotEmpty(t, r.Body["uploadedBy"])
	require.NotEmpty(t, r.Body["uploadedAt"])
	meta, size, ok := b.Sim.File("acme_HG8245H_V3R017C10S135.bin")
	require.True(t, ok, "the image is in GenieACS")
	require.Equal(t, int64(len(img)), size)
	require.Equal(t, "1 Firmware Upgrade Image", meta.FileType)
	require.Equal(t, "00259E", meta.OUI)
	require.Equal(t, "HG8245H", meta.ProductClass)
	require.Equal(t, "V3R017C10S135", meta.Version)
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'firmware.upload' AND target_id = $1`, id))

	// The same name again is refused; another organization may use it, in
	// its own name.
	r = uploadJSON(t, b, b.KeyA, "HG8245H_V3R017C10S135.bin", img)
	require.Equal(t, http.StatusConflict, r.Status, r.Raw)
	require.Contains(t, r.ErrFields(), "filename")
	r = uploadJSON(t, b, b.KeyB, "HG8245H_V3R017C10S135.bin", image(1000))
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	idB := r.Body["id"].(string)
	require.Equal(t, "beta_HG8245H_V3R017C10S135.bin", r.Body["storedName"])
	_, sizeA, _ := b.Sim.File("acme_HG8245H_V3R017C10S135.bin")
	require.Equal(t, int64(len(img)), sizeA, "acme's image is untouched")

	// Streamed multipart, with the file part's own name.
	big := image(200 << 10)
	ct, body := multipartBody([][2]string{{"oui", "00259E"}, {"productClass", "HG8245H"}, {"version", "V3R018"}}, "HG8245H_V3R018.bin", big, false)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	require.Equal(t, "HG8245H_V3R018.bin", r.Body["filename"])
	require.Equal(t, sum(big), r.Body["sha256"])
	require.Equal(t, float64(len(big)), r.Body["size"])
	idBig := r.Body["id"].(string)

	// The list counts the organization's devices of the model and on the
	// version.
	o := b.OrgA.ID
	now := time.Now()
	for i, v := range []string{"V3R017C10S135", "V3R017C10S135", "V3R016"} {
		_, err := cpetest.Insert(ctx, b.Pool, cpetest.Device{OrgID: &o, Serial: "HWTCFW00000" + string(rune('1'+i)), OUI: "00259E",
			ProductClass: "HG8245H", SoftwareVersion: v, LastInformAt: &now})
		require.NoError(t, err)
	}
	r = b.API(t, http.MethodGet, "/cpe/firmware", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, "a viewer reads the library")
	items := r.Items()
	require.Len(t, items, 2, "acme's two images, not beta's")
	byName := map[string]map[string]any{}
	for _, it := range items {
		m := it.(map[string]any)
		byName[m["filename"].(string)] = m
	}
	require.Equal(t, float64(2), byName["HG8245H_V3R017C10S135.bin"]["devicesRunning"])
	require.Equal(t, float64(3), byName["HG8245H_V3R017C10S135.bin"]["modelDevices"])
	require.Equal(t, float64(0), byName["HG8245H_V3R018.bin"]["devicesRunning"])

	r = b.API(t, http.MethodGet, "/cpe/firmware/"+id, b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, sum(img), r.Body["sha256"])

	// Another organization's image is not there.
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/firmware/"+idB, b.KeyA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodDelete, "/cpe/firmware/"+idB, b.KeyA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/firmware/"+id, b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/firmware/not-an-id", b.KeyA, "").Status)

	// A viewer may not upload or delete.
	require.Equal(t, http.StatusForbidden, uploadJSON(t, b, b.KeyViewerA, "x.bin", image(10)).Status)
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodDelete, "/cpe/firmware/"+id, b.KeyViewerA, "").Status)
	ct, body = multipartBody(hgFields, "y.bin", image(10), false)
	require.Equal(t, http.StatusForbidden, uploadMultipart(t, b, b.KeyViewerA, ct, body).Status)
	_, _, ok = b.Sim.File("acme_y.bin")
	require.False(t, ok)

	// Delete takes it out of GenieACS and the library.
	require.Equal(t, http.StatusNoContent, b.API(t, http.MethodDelete, "/cpe/firmware/"+idBig, b.KeyA, "").Status)
	_, _, ok = b.Sim.File("acme_HG8245H_V3R018.bin")
	require.False(t, ok, "gone from GenieACS")
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/firmware/"+idBig, b.KeyA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodDelete, "/cpe/firmware/"+idBig, b.KeyA, "").Status)
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'firmware.delete' AND target_id = $1`, idBig))
	// Its name is free again.
	ct, body = multipartBody(hgFields, "HG8245H_V3R018.bin", image(100), false)
	require.Equal(t, http.StatusCreated, uploadMultipart(t, b, b.KeyA, ct, body).Status)
}

func TestAPIFirmwareBadUploads(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	nothingStored := func(t *testing.T) {
		t.Helper()
		require.Zero(t, b.Count(t, `SELECT count(*) FROM firmware_images`))
		for _, f := range []string{"acme_big.bin", "acme_x.bin"} {
			_, _, ok := b.Sim.File(f)
			require.False(t, ok, "%s is not in GenieACS", f)
		}
	}

	for _, tt := range []struct {
		name, body, field string
		status            int
	}{
		{"BadBase64", `{"filename":"x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"not base64!"}`, "data", 422},
		{"NoData", `{"filename":"x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":""}`, "data", 422},
		{"Slash", `{"filename":"a/x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA"}`, "filename", 422},
		{"Backslash", `{"filename":"a\\x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA"}`, "filename", 422},
		{"DotDot", `{"filename":"..x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA"}`, "filename", 422},
		{"Control", `{"filename":"x\u0007.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA"}`, "filename", 422},
		{"LongName", `{"filename":"` + strings.Repeat("a", 256) + `","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA"}`, "filename", 422},
		{"BadOUI", `{"filename":"x.bin","oui":"0025","productClass":"HG8245H","version":"1","data":"AAAA"}`, "oui", 422},
		{"NoVersion", `{"filename":"x.bin","oui":"00259E","productClass":"HG8245H","data":"AAAA"}`, "version", 422},
		{"NoModel", `{"filename":"x.bin","oui":"00259E","version":"1","data":"AAAA"}`, "productClass", 422},
		{"UnknownField", `{"filename":"x.bin","oui":"00259E","productClass":"HG8245H","version":"1","data":"AAAA","extra":1}`, "", 400},
	} {
		r := b.API(t, http.MethodPost, "/cpe/firmware/upload", b.KeyA, tt.body)
		require.Equal(t, tt.status, r.Status, "%s: %s", tt.name, r.Raw)
		if tt.field != "" {
			require.Contains(t, r.ErrFields(), tt.field, tt.name)
		}
	}

	// Over FIRMWARE_JSON_MAX_BYTES (64 KiB in tests), decoded: 413.
	r := uploadJSON(t, b, b.KeyA, "big.bin", image(64<<10+1))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status, r.Raw)
	nothingStored(t)

	// Multipart over FIRMWARE_MAX_BYTES (256 KiB): 413, measured while it
	// streamed; GenieACS keeps nothing.
	ct, body := multipartBody(hgFields, "big.bin", image(256<<10+1), false)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status, r.Raw)
	require.Contains(t, r.ErrFields(), "file")
	nothingStored(t)

	// Empty file, the file before its fields, no file, bad names.
	ct, body = multipartBody(hgFields, "x.bin", []byte{}, false)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Equal(t, "is empty", r.ErrFields()["file"])
	ct, body = multipartBody(hgFields, "x.bin", image(10), true)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Contains(t, r.ErrFields(), "oui")
	ct, body = multipartBody(hgFields, "", nil, false)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Contains(t, r.ErrFields(), "file")
	ct, body = multipartBody(hgFields, "../../etc/x.bin", image(10), false)
	r = uploadMultipart(t, b, b.KeyA, ct, body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Contains(t, r.ErrFields(), "filename", "the name as sent, not its base")
	r = uploadMultipart(t, b, b.KeyA, "application/octet-stream", bytes.NewReader(image(10)))
	require.Equal(t, http.StatusUnsupportedMediaType, r.Status, r.Raw)
	nothingStored(t)

	// Without a key: 401.
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/firmware", "", "").Status)
}

func TestAPIFirmwareDeploy(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 30)
	var gids []string
	for i := range 2 {
		_, gid := b.SimDevice(t, b.OrgA, "HG8245H", i)
		gids = append(gids, gid)
	}
	_, betaGID := b.SimDevice(t, b.OrgB, "HG8245H", 2) // beta's: never a target of acme's deployment
	r := uploadJSON(t, b, b.KeyA, "HG8245H_V-API.bin", image(20<<10))
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	imageID := r.Body["id"].(string)
	// uploadJSON's version is V3R017C10S135.
	deploy := func(key, body string) webtest.APIResp {
		return b.API(t, http.MethodPost, "/cpe/firmware/deploy", key, body)
	}

	require.Equal(t, http.StatusForbidden, deploy(b.KeyViewerA, `{"filename":"HG8245H_V-API.bin","model":"HG8245H"}`).Status)
	r = deploy(b.KeyB, `{"filename":"HG8245H_V-API.bin","model":"HG8245H"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "another organization's image is not in beta's library")
	require.Contains(t, r.ErrFields(), "filename")
	r = deploy(b.KeyA, `{"filename":"HG8245H_V-API.bin","model":"HG8245H","waves":[50,80]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "waves")
	r = deploy(b.KeyA, `{"filename":"HG8245H_V-API.bin","model":"HG8245H","window":{"from":"01:00","to":"05:00","timezone":"Nairobi"}}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "window.timezone")
	r = deploy(b.KeyA, `{"filename":"HG8245H_V-API.bin","model":"F660"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "model")

	r = deploy(b.KeyA, `{"filename":"HG8245H_V-API.bin","model":"HG8245H","waves":[50,100],"dryRun":true}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, []any{1.0, 1.0}, r.Body["waves"])
	require.Zero(t, b.Count(t, `SELECT count(*) FROM firmware_deployments`))

	r = deploy(b.KeyA, `{"filename":"HG8245H_V-API.bin","model":"HG8245H","waves":[50,100],"maxInFlight":2}`)
	require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
	id := r.Body["deploymentId"].(string)
	require.Equal(t, "/cpe/firmware/deployments/"+id, r.Header.Get("Location"))
	require.Equal(t, 2.0, r.Body["targeted"])
	require.Equal(t, 0.0, r.Body["succeeded"])

	// Paused, the image is in use; resumed, it finishes.
	r = b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/pause", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "paused", r.Body["state"])
	require.Equal(t, http.StatusConflict, b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/pause", b.KeyA, "").Status)
	require.Equal(t, http.StatusConflict, b.API(t, http.MethodDelete, "/cpe/firmware/"+imageID, b.KeyA, "").Status)
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/resume", b.KeyViewerA, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/resume", b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/firmware/deployments/"+id, b.KeyB, "").Status)
	r = b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/resume", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.True(t, webtest.Wait(60*time.Second, func() bool {
		r = b.API(t, http.MethodGet, "/cpe/firmware/deployments/"+id, b.KeyViewerA, "")
		return r.Body["state"] == "completed"
	}), "the deployment completes by itself: %s", r.Raw)
	states := r.Body["counts"].(map[string]any)["states"].(map[string]any)
	require.Equal(t, 2.0, states["upgraded"])
	for _, gid := range gids {
		require.Equal(t, 1, b.Sim.Downloads(gid))
		v, _ := b.Sim.Value(gid, "InternetGatewayDevice.DeviceInfo.SoftwareVersion")
		require.Equal(t, "V3R017C10S135", v)
	}
	require.Zero(t, b.Sim.Downloads(betaGID), "another organization's device got nothing")
	require.Equal(t, http.StatusConflict, b.API(t, http.MethodPost, "/cpe/firmware/deployments/"+id+"/cancel", b.KeyA, "").Status)
	r = b.API(t, http.MethodGet, "/cpe/firmware/deployments", b.KeyA, "")
	require.Len(t, r.Items(), 1)
	require.Empty(t, b.API(t, http.MethodGet, "/cpe/firmware/deployments", b.KeyB, "").Items())
	for _, action := range []string{"firmware.deploy", "firmware.pause", "firmware.resume"} {
		require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1 AND target_id = $2`, action, id), action)
	}
	require.Equal(t, http.StatusNoContent, b.API(t, http.MethodDelete, "/cpe/firmware/"+imageID, b.KeyA, "").Status, "finished: the image may go")
}

// A JSON value of the wrong kind is named in JSON's words, not Go's.
func TestAPIJSONKindInWords(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/firmware/deploy", b.KeyA, `{"filename":"x.bin","model":"HG8245H","waves":"10, 100"}`)
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Contains(t, r.Raw, `field \"waves\" must be an array`)
	r = b.API(t, http.MethodPost, "/cpe/firmware/deploy", b.KeyA, `{"filename":"x.bin","model":"HG8245H","maxInFlight":"ten"}`)
	require.Contains(t, r.Raw, `field \"maxInFlight\" must be a whole number`)
}
