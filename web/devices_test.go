package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// upload posts a multipart CSV file with the remembered CSRF token.
func (br *browser) upload(path, filename, content string) page {
	br.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(br.t, w.WriteField("_csrf", br.csrf))
	fw, err := w.CreateFormFile("file", filename)
	require.NoError(br.t, err)
	_, _ = fw.Write([]byte(content))
	require.NoError(br.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, br.base+path, &body)
	require.NoError(br.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return br.do(req)
}

func (b *testBundle) device(t *testing.T, serial string, pending bool) uuid.UUID {
	t.Helper()
	if pending {
		return testfactory.Device(context.Background(), t, b.pool, nil, serial, nil)
	}
	return testfactory.Device(context.Background(), t, b.pool, &b.orgA, serial, nil)
}

func TestDevicesPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mine := b.device(t, "48575443000000A1", false)
	theirs := testfactory.Device(ctx, t, b.pool, &b.orgB, "HWTC0000BBBB", nil)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.orgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice"), PlanGroup: testfactory.Ptr("home")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.orgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("frozen"), Status: testfactory.Ptr("suspended")})

	br := b.loggedIn(t, b.adminA)
	t.Run("ListAndSearch", func(t *testing.T) {
		p := br.get("/devices")
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 1, p.testid("device-row-HWTC000000A1").Length())
		require.NotContains(t, p.body, "HWTC0000BBBB")
		p = br.get("/devices?serial=48575443000000A")
		require.Equal(t, 1, p.testid("device-row-HWTC000000A1").Length(), "Huawei hex prefix finds the label")
		p = br.get("/devices?serial=ZZZZ")
		require.Equal(t, 1, p.testid("no-devices").Length())
		p = br.get("/devices?status=sleeping&sort=nope")
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
	})
	t.Run("DeletedFromGenieACS", func(t *testing.T) {
		gone := b.device(t, "HWTC000000A2", false)
		_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET genieacs_id = 'x', genieacs_deleted_at = now() WHERE id = $1`, gone)
		require.NoError(t, err)
		p := br.get("/devices?status=deleted_in_genieacs")
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 1, p.testid("device-row-HWTC000000A2").Length())
		require.Zero(t, p.testid("device-row-HWTC000000A1").Length(), "only the marked device")
		require.Equal(t, "deleted from GenieACS", p.testid("device-row-HWTC000000A2").Find(`[data-testid="genieacs-deleted-badge"]`).Text())
		p = br.get("/devices/" + gone.String())
		require.Contains(t, p.testid("genieacs-deleted").Text(), "GenieACS no longer has this device")
		p = br.get("/devices/" + mine.String())
		require.Zero(t, p.testid("genieacs-deleted").Length())
		require.Zero(t, p.testid("genieacs-deleted-badge").Length())

		r := b.api(t, http.MethodGet, "/cpe/devices?status=deleted_in_genieacs", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status)
		items := r.body["items"].([]any)
		require.Len(t, items, 1)
		require.NotEmpty(t, items[0].(map[string]any)["genieacsDeletedAt"])
		_, err = b.pool.Exec(ctx, `DELETE FROM cpe_devices WHERE id = $1`, gone)
		require.NoError(t, err)
	})
	t.Run("DetailAndAssign", func(t *testing.T) {
		p := br.get("/devices/" + mine.String())
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, "HWTC000000A1", p.testid("device-serial").Text())
		p = br.post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"frozen"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "frozen is suspended", p.testid("error-subscriber").Text())
		p = br.post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"nobody"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		p = br.post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}})
		require.Equal(t, http.StatusSeeOther, p.status)
		p = br.get(p.header.Get("Location"))
		require.Contains(t, p.testid("device-subscriber").Text(), "alice")
		require.Equal(t, "pending push", p.testid("push-state").Text())
		require.Contains(t, p.testid("recent-actions").Text(), "assigned HWTC000000A1 to alice")
		frag := br.get("/devices/" + mine.String() + "/push")
		require.Equal(t, http.StatusOK, frag.status)
		require.Equal(t, 1, frag.doc.Find(`[hx-trigger="every 2s"]`).Length(), "polls while pending")
		p = br.post("/devices/"+mine.String()+"/unassign", nil)
		require.Equal(t, http.StatusSeeOther, p.status)
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, path := range []string{"/devices/" + theirs.String(), "/devices/" + theirs.String() + "/push", "/devices/not-a-uuid"} {
			require.Equal(t, http.StatusNotFound, br.get(path).status, path)
		}
		require.Equal(t, http.StatusNotFound, br.post("/devices/"+theirs.String()+"/assign", url.Values{"subscriber": {"alice"}}).status)
		require.Equal(t, http.StatusNotFound, br.post("/devices/"+theirs.String()+"/unassign", nil).status)
	})
	t.Run("Roles", func(t *testing.T) {
		tb := b.loggedIn(t, b.techA)
		require.Equal(t, http.StatusOK, tb.get("/devices/"+mine.String()).status)
		require.Equal(t, http.StatusSeeOther, tb.post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}}).status, "technicians assign")
		require.Equal(t, http.StatusForbidden, tb.get("/pending").status, "but do not claim")
		require.Equal(t, http.StatusForbidden, tb.get("/devices/new").status)
		require.Equal(t, http.StatusForbidden, tb.post("/devices", url.Values{"serial": {"HWTC00000999"}}).status)
		vb := b.loggedIn(t, b.viewerA)
		require.Equal(t, http.StatusOK, vb.get("/devices").status)
		p := vb.get("/devices/" + mine.String())
		require.Zero(t, p.testid("assign-form").Length())
		require.Equal(t, http.StatusForbidden, vb.post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}}).status)
	})
	t.Run("AddDevice", func(t *testing.T) {
		br.get("/devices/new")
		p := br.post("/devices", url.Values{"serial": {"x"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.NotEmpty(t, p.testid("error-serial").Text())
		p = br.post("/devices", url.Values{"serial": {"HWTC0000BBBB"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, cpe.ErrSerialUnavailable, p.testid("error-serial").Text())
		p = br.post("/devices", url.Values{"serial": {"HWTC00000777"}, "model": {"HG8245H"}, "subscriber": {"alice"}})
		require.Equal(t, http.StatusSeeOther, p.status)
	})
	t.Run("ExportDefusesFormulas", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET software_version = '=cmd|'' /C calc''!A0' WHERE id = $1`, mine)
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/devices/export.csv?serial=HWTC000000A1", nil)
		resp, err := br.c.Do(req)
		require.NoError(t, err)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 2)
		require.Equal(t, "'=cmd|' /C calc'!A0", recs[1][6], "a formula cell is neutralised")
	})
}

func TestDeviceImportPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	testfactory.Device(ctx, t, b.pool, &b.orgB, "HWTC0000BBBB", nil)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.orgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice")})
	br := b.loggedIn(t, b.adminA)
	br.get("/devices/import")

	p := br.upload("/devices/import", "bad.csv", "serial,colour\nHWTC1,red\n")
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.Contains(t, p.testid("error-file").Text(), "unknown column")

	p = br.upload("/devices/import", "junk.bin", strings.Repeat("\xff", 2048))
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.Contains(t, p.testid("error-file").Text(), "UTF-8")

	for _, body := range []string{"serial,model\nHWTC0000\x0001,HG8245H\n", "serial,model,subscriber\nHWTC00000001,HG\x00,ali\x1bce\n"} {
		p = br.upload("/devices/import", "nul.csv", body)
		require.Equal(t, http.StatusUnprocessableEntity, p.status, "a NUL or control in the file is an error, never a 500: %s", p.body)
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/cpe/devices/import?filename=nul.csv", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+b.keyA)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Less(t, resp.StatusCode, 500, "the API answers the same file without a 500")
	}

	p = br.upload("/devices/import", "mixed.csv", "serial,subscriber\nHWTC00000001,alice\nHWTC0000BBBB,\n")
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.Equal(t, 1, p.testid("import-blocked").Length())
	require.Equal(t, cpe.ErrSerialUnavailable, p.testid("row-error").Text())
	require.Zero(t, p.testid("import-commit").Length())

	p = br.upload("/devices/import", "good.csv", "serial,model,subscriber\nHWTC00000001,HG8245H,alice\nHWTC00000002,,\nHWTC00000003,F660,\n")
	require.Equal(t, http.StatusOK, p.status)
	require.Contains(t, p.testid("import-summary").Text(), "3 valid, 0 with errors")
	action, _ := p.testid("import-commit-form").Attr("action")
	p = br.post(action, nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	p = br.get(p.header.Get("Location"))
	require.Contains(t, p.testid("flash").Text(), "Imported 3 devices (3 new, 0 claimed, 1 with a subscriber)")
	require.Equal(t, 1, p.testid("device-row-HWTC00000001").Length())

	ob := b.loggedIn(t, b.adminB)
	require.Equal(t, http.StatusNotFound, ob.post(action, nil).status, "another organization's import")
	require.Equal(t, http.StatusForbidden, b.loggedIn(t, b.techA).upload("/devices/import", "x.csv", "serial\nHWTC00000009\n").status)
}

func TestPendingAndClaimPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dev := b.device(t, "HWTC0000C1A1", true)
	br := b.loggedIn(t, b.adminA)
	p := br.get("/pending")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, 1, p.testid("pending-row-HWTC0000C1A1").Length())
	p = br.post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, "/devices/"+dev.String(), p.header.Get("Location"))

	p = b.loggedIn(t, b.ownerA).post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusConflict, p.status, "a colleague who lost is told")
	require.Contains(t, p.testid("error").Text(), "just claimed")

	ob := b.loggedIn(t, b.adminB)
	p = ob.post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusNotFound, p.status, "another organization's loser is told it is not pending")
	require.Contains(t, p.testid("error").Text(), "not pending")
	require.NotContains(t, p.body, b.orgA.Name, "without saying who")
	require.Equal(t, http.StatusNotFound, ob.get("/devices/"+dev.String()).status)
	require.Equal(t, p.testid("error").Text(), ob.post("/pending/"+uuid.NewString()+"/claim", nil).testid("error").Text())
}

func TestDevicesAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.orgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice"), PlanGroup: testfactory.Ptr("home")})
	pending := b.device(t, "HWTC0000D0D0", true)

	r := b.api(t, http.MethodPost, "/cpe/devices", b.keyA, `{"serial":"48575443000000E1","model":"HG8245H","subscriber":"alice"}`)
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, "HWTC000000E1", r.body["serial"])
	r = b.api(t, http.MethodPost, "/cpe/devices", b.keyA, `{"serial":"!","bogus":1}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	r = b.api(t, http.MethodPost, "/cpe/devices", b.keyA, `{"serial":"!"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.errFields(), "serial")

	r = b.api(t, http.MethodGet, "/cpe/devices?serial=HWTC", b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.items(), 1)
	r = b.api(t, http.MethodGet, "/cpe/devices?limit=x", b.keyA, "")
	require.Equal(t, http.StatusUnprocessableEntity, r.status)

	r = b.api(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.keyA, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusAccepted, r.status)
	require.Equal(t, "pending", r.body["pushState"])
	r = b.api(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.keyViewerA, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusForbidden, r.status)
	r = b.api(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.keyB, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, http.StatusNotFound, b.api(t, http.MethodGet, "/cpe/devices/"+id, b.keyB, "").status)
	r = b.api(t, http.MethodGet, "/cpe/devices/"+id, b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "HWTC000000E1", r.body["serial"])
	require.Equal(t, "alice", r.body["subscriber"])
	recent := r.body["recentActions"].([]any)
	require.Len(t, recent, 2, "added to the inventory, then assigned")
	require.Equal(t, "cpe.assign", recent[0].(map[string]any)["action"], "newest first")
	require.Equal(t, http.StatusNotFound, b.api(t, http.MethodGet, "/cpe/devices/not-a-uuid", b.keyA, "").status)

	r = b.api(t, http.MethodGet, "/cpe/pending", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.items(), 1)
	require.Equal(t, http.StatusForbidden, b.api(t, http.MethodGet, "/cpe/pending", b.keyViewerA, "").status)
	r = b.api(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	r = b.api(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.keyB, "")
	require.Equal(t, http.StatusNotFound, r.status, "another organization's device answers like an unknown id")
	require.Equal(t, b.api(t, http.MethodPost, "/cpe/pending/"+uuid.NewString()+"/claim", b.keyB, "").raw, r.raw)
	r = b.api(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.keyA, "")
	require.Equal(t, http.StatusConflict, r.status, "a second claim in the same organization")
	require.Equal(t, "already_claimed", r.errCode())

	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/cpe/devices/import?filename=api.csv", strings.NewReader("serial\nHWTC0000F001\nHWTC0000F002\n"))
	req.Header.Set("Authorization", "Bearer "+b.keyA)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var importID string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT id::text FROM cpe_imports WHERE filename = 'api.csv'`).Scan(&importID))
	require.Equal(t, http.StatusNotFound, b.api(t, http.MethodPost, "/cpe/imports/"+importID+"/commit", b.keyB, "").status)
	r = b.api(t, http.MethodPost, "/cpe/imports/"+importID+"/commit", b.keyA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 2, r.body["added"])
}
