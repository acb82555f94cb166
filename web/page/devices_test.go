package page_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestDevicesPages(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	mine := b.Device(t, "48575443000000A1", false)
	theirs := testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HWTC0000BBBB", nil)
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice"), PlanGroup: testfactory.Ptr("home")})
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("frozen"), Status: testfactory.Ptr("suspended")})

	br := b.LoggedIn(t, b.AdminA)
	t.Run("ListAndSearch", func(t *testing.T) {
		p := br.Get("/devices")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("device-row-HWTC000000A1").Length())
		require.NotContains(t, p.Body, "HWTC0000BBBB")
		p = br.Get("/devices?serial=48575443000000A")
		require.Equal(t, 1, p.TestID("device-row-HWTC000000A1").Length(), "Huawei hex prefix finds the label")
		p = br.Get("/devices?serial=ZZZZ")
		require.Equal(t, 1, p.TestID("no-devices").Length())
		p = br.Get("/devices?status=sleeping&sort=nope")
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	})
	t.Run("DeletedFromGenieACS", func(t *testing.T) {
		gone := b.Device(t, "HWTC000000A2", false)
		require.NoError(t, cpetest.SetGenieACS(ctx, b.Pool, gone, "x", ""))
		require.NoError(t, cpetest.MarkGone(ctx, b.Pool, gone))
		p := br.Get("/devices?status=deleted_in_genieacs")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("device-row-HWTC000000A2").Length())
		require.Zero(t, p.TestID("device-row-HWTC000000A1").Length(), "only the marked device")
		require.Equal(t, "deleted from GenieACS", p.TestID("device-row-HWTC000000A2").Find(`[data-testid="genieacs-deleted-badge"]`).Text())
		p = br.Get("/devices/" + gone.String())
		require.Contains(t, p.TestID("genieacs-deleted").Text(), "GenieACS no longer has this device")
		p = br.Get("/devices/" + mine.String())
		require.Zero(t, p.TestID("genieacs-deleted").Length())
		require.Zero(t, p.TestID("genieacs-deleted-badge").Length())

		r := b.API(t, http.MethodGet, "/cpe/devices?status=deleted_in_genieacs", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status)
		items := r.Body["items"].([]any)
		require.Len(t, items, 1)
		require.NotEmpty(t, items[0].(map[string]any)["genieacsDeletedAt"])
		require.NoError(t, cpetest.Delete(ctx, b.Pool, []uuid.UUID{gone}))
	})
	t.Run("DetailAndAssign", func(t *testing.T) {
		p := br.Get("/devices/" + mine.String())
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, "HWTC000000A1", p.TestID("device-serial").Text())
		p = br.Post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"frozen"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "frozen is suspended", p.TestID("error-subscriber").Text())
		p = br.Post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"nobody"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		p = br.Post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		p = br.Get(p.Header.Get("Location"))
		require.Contains(t, p.TestID("device-subscriber").Text(), "alice")
		require.Equal(t, "pending push", p.TestID("push-state").Text())
		require.Contains(t, p.TestID("recent-actions").Text(), "assigned HWTC000000A1 to alice")
		frag := br.Get("/devices/" + mine.String() + "/push")
		require.Equal(t, http.StatusOK, frag.Status)
		require.Equal(t, 1, frag.Doc.Find(`[hx-trigger="every 2s"]`).Length(), "polls while pending")

		// alice on a second device: the page offers to move her.
		second := b.Device(t, "HWTC000000A3", false)
		p = br.Post("/devices/"+second.String()+"/assign", url.Values{"subscriber": {"Alice"}})
		require.Equal(t, http.StatusConflict, p.Status)
		require.Contains(t, p.TestID("form-errors").Text(), "alice is already on HWTC000000A1; move them here, or choose another subscriber")
		move := p.TestID("assign-move")
		require.Contains(t, move.Text(), "HWTC000000A1")
		require.Equal(t, "/devices/"+mine.String(), move.Find("a").AttrOr("href", ""))
		require.Contains(t, move.Find(`[data-testid="assign-move-submit"]`).Text(), "Move alice here: unassign HWTC000000A1 and clear its PPPoE login")
		form := formFields(p, "assign-move")
		require.Equal(t, "true", form.Get("move"))
		p = br.Post("/devices/"+second.String()+"/assign", form)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		p = br.Get(p.Header.Get("Location"))
		require.Contains(t, p.TestID("flash").Text(), "Moved alice here")
		require.Contains(t, p.TestID("device-subscriber").Text(), "alice")
		p = br.Get("/devices/" + mine.String())
		require.NotContains(t, p.TestID("device-subscriber").Text(), "alice")
		require.Contains(t, p.TestID("recent-actions").Text(), "moved alice from HWTC000000A1 to HWTC000000A3")
		p = br.Post("/devices/"+second.String()+"/unassign", nil)
		require.Equal(t, http.StatusSeeOther, p.Status)
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, path := range []string{"/devices/" + theirs.String(), "/devices/" + theirs.String() + "/push", "/devices/not-a-uuid"} {
			require.Equal(t, http.StatusNotFound, br.Get(path).Status, path)
		}
		require.Equal(t, http.StatusNotFound, br.Post("/devices/"+theirs.String()+"/assign", url.Values{"subscriber": {"alice"}}).Status)
		require.Equal(t, http.StatusNotFound, br.Post("/devices/"+theirs.String()+"/unassign", nil).Status)
	})
	t.Run("Roles", func(t *testing.T) {
		tb := b.LoggedIn(t, b.TechA)
		require.Equal(t, http.StatusOK, tb.Get("/devices/"+mine.String()).Status)
		require.Equal(t, http.StatusSeeOther, tb.Post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}}).Status, "technicians assign")
		require.Equal(t, http.StatusForbidden, tb.Get("/pending").Status, "but do not claim")
		require.Equal(t, http.StatusForbidden, tb.Get("/devices/new").Status)
		require.Equal(t, http.StatusForbidden, tb.Post("/devices", url.Values{"serial": {"HWTC00000999"}}).Status)
		vb := b.LoggedIn(t, b.ViewerA)
		require.Equal(t, http.StatusOK, vb.Get("/devices").Status)
		p := vb.Get("/devices/" + mine.String())
		require.Zero(t, p.TestID("assign-form").Length())
		require.Equal(t, http.StatusForbidden, vb.Post("/devices/"+mine.String()+"/assign", url.Values{"subscriber": {"alice"}}).Status)
	})
	t.Run("AddDevice", func(t *testing.T) {
		br.Get("/devices/new")
		p := br.Post("/devices", url.Values{"serial": {"x"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.NotEmpty(t, p.TestID("error-serial").Text())
		p = br.Post("/devices", url.Values{"serial": {"HWTC0000BBBB"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, cpe.ErrSerialUnavailable, p.TestID("error-serial").Text())
		p = br.Post("/devices", url.Values{"serial": {"HWTC00000777"}, "model": {"HG8245H"}, "subscriber": {"alice"}})
		require.Equal(t, http.StatusSeeOther, p.Status)
	})
	t.Run("ExportDefusesFormulas", func(t *testing.T) {
		require.NoError(t, cpetest.SetSoftwareVersion(ctx, b.Pool, []uuid.UUID{mine}, "=cmd|' /C calc'!A0"))
		req, _ := http.NewRequest(http.MethodGet, b.Srv.URL+"/devices/export.csv?serial=HWTC000000A1", nil)
		resp, err := br.Client.Do(req)
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
	b := webtest.Setup(t)
	ctx := context.Background()
	testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HWTC0000BBBB", nil)
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice")})
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/devices/import")

	p := br.Upload("/devices/import", "bad.csv", "serial,colour\nHWTC1,red\n")
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.TestID("error-file").Text(), "unknown column")

	p = br.Upload("/devices/import", "junk.bin", strings.Repeat("\xff", 2048))
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.TestID("error-file").Text(), "UTF-8")

	for _, body := range []string{"serial,model\nHWTC0000\x0001,HG8245H\n", "serial,model,subscriber\nHWTC00000001,HG\x00,ali\x1bce\n"} {
		p = br.Upload("/devices/import", "nul.csv", body)
		require.Equal(t, http.StatusUnprocessableEntity, p.Status, "a NUL or control in the file is an error, never a 500: %s", p.Body)
		req, _ := http.NewRequest(http.MethodPost, b.Srv.URL+"/cpe/devices/import?filename=nul.csv", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+b.KeyA)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Less(t, resp.StatusCode, 500, "the API answers the same file without a 500")
	}

	p = br.Upload("/devices/import", "mixed.csv", "serial,subscriber\nHWTC00000001,alice\nHWTC0000BBBB,\n")
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Equal(t, 1, p.TestID("import-blocked").Length())
	require.Equal(t, cpe.ErrSerialUnavailable, p.TestID("row-error").Text())
	require.Zero(t, p.TestID("import-commit").Length())

	p = br.Upload("/devices/import", "good.csv", "serial,model,subscriber\nHWTC00000001,HG8245H,alice\nHWTC00000002,,\nHWTC00000003,F660,\n")
	require.Equal(t, http.StatusOK, p.Status)
	require.Contains(t, p.TestID("import-summary").Text(), "3 valid, 0 with errors")
	action, _ := p.TestID("import-commit-form").Attr("action")
	p = br.Post(action, nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = br.Get(p.Header.Get("Location"))
	require.Contains(t, p.TestID("flash").Text(), "Imported 3 devices (3 new, 0 claimed, 1 with a subscriber)")
	require.Equal(t, 1, p.TestID("device-row-HWTC00000001").Length())

	ob := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusNotFound, ob.Post(action, nil).Status, "another organization's import")
	require.Equal(t, http.StatusForbidden, b.LoggedIn(t, b.TechA).Upload("/devices/import", "x.csv", "serial\nHWTC00000009\n").Status)
}

func TestPendingAndClaimPages(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	dev := b.Device(t, "HWTC0000C1A1", true)
	b.Device(t, "ZTEGC0000002", true)
	br := b.LoggedIn(t, b.AdminA)
	p := br.Get("/pending")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("pending-row-HWTC0000C1A1").Length())
	require.Equal(t, "2 pending devices", strings.TrimSpace(p.TestID("pending-total").Text()))
	p = br.Get("/pending?serial=48575443")
	require.Equal(t, 1, p.TestID("pending-row-HWTC0000C1A1").Length(), "the Huawei hex form finds the label")
	require.Equal(t, 0, p.TestID("pending-row-ZTEGC0000002").Length())
	require.Contains(t, p.TestID("pending-total").Text(), `1 pending device with a serial starting "48575443"`)
	require.Equal(t, http.StatusUnprocessableEntity, br.Get("/pending?serial=a%25b").Status)
	p = br.Post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, "/devices/"+dev.String(), p.Header.Get("Location"))

	p = b.LoggedIn(t, b.OwnerA).Post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusConflict, p.Status, "a colleague who lost is told")
	require.Contains(t, p.TestID("error").Text(), "just claimed")

	ob := b.LoggedIn(t, b.AdminB)
	p = ob.Post("/pending/"+dev.String()+"/claim", nil)
	require.Equal(t, http.StatusNotFound, p.Status, "another organization's loser is told it is not pending")
	require.Contains(t, p.TestID("error").Text(), "not pending")
	require.NotContains(t, p.Body, b.OrgA.Name, "without saying who")
	require.Equal(t, http.StatusNotFound, ob.Get("/devices/"+dev.String()).Status)
	require.Equal(t, p.TestID("error").Text(), ob.Post("/pending/"+uuid.NewString()+"/claim", nil).TestID("error").Text())
}
