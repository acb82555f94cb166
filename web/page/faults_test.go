package page_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestFaultBoardPage(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 4)
	devA, gidA := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	_, gidA2 := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 1)
	_, gidB := b.SimDevice(t, b.OrgB, webtest.ModelZTE, 0)
	b.SeedFaults(t, webtest.FaultDoc(gidA, "default", "cwmp.9002"), webtest.FaultDoc(gidA2, "default", "cwmp.9002"),
		webtest.FaultDoc(gidA, "fyberpay-bootstrap", "timeout"), webtest.FaultDoc(gidB, "default", "cwmp.9002"))
	mine, theirs := b.FaultID(t, gidA+":default"), b.FaultID(t, gidB+":default")

	admin := b.LoggedIn(t, b.AdminA)
	p := admin.Get("/faults")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	require.Equal(t, "/faults", p.TestID("nav-faults").AttrOr("href", ""))
	require.Equal(t, "page", p.TestID("nav-faults").AttrOr("aria-current", ""))
	groups := p.TestID("fault-group")
	require.Equal(t, 2, groups.Length(), "cwmp.9002 on HG8245H and timeout on HG8245H; not the other organization's")
	first := groups.First()
	require.Equal(t, "cwmp.9002", first.Find(`[data-testid="fault-group-link"]`).Text())
	require.Equal(t, "2", first.Find(`[data-testid="fault-group-count"]`).Text())
	href := first.Find(`[data-testid="fault-group-link"]`).AttrOr("href", "")
	require.Equal(t, "/faults?code=cwmp.9002&model=HG8245H", href)
	require.Equal(t, 3, p.TestID("faults-table").Find("tbody tr").Length())
	require.Zero(t, p.TestID("fault-"+theirs).Length())

	t.Run("GroupLinkFilters", func(t *testing.T) {
		p := admin.In(t).Get(href)
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 2, p.TestID("faults-table").Find("tbody tr").Length())
		row := p.TestID("fault-" + mine)
		require.Equal(t, "/devices/"+devA.String(), row.Find(`[data-testid="fault-device"]`).AttrOr("href", ""))
		require.Equal(t, "2", row.Find(`[data-testid="fault-retries"]`).Text())
		require.Equal(t, "Invalid arguments", row.Find(`[data-testid="fault-message"]`).Text())
	})

	t.Run("BadFilterIs422", func(t *testing.T) {
		p := admin.In(t).Get("/faults?status=open")
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "must be one of active, resolved, cleared, all", p.TestID("error-status").Text())
	})

	t.Run("ViewerHasNoClearButton", func(t *testing.T) {
		br := b.LoggedIn(t, b.ViewerA)
		p := br.Get("/faults")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 3, p.TestID("faults-table").Find("tbody tr").Length())
		require.Zero(t, p.TestID("fault-clear").Length())
		requireForbidden(t, br.Post("/faults/"+mine+"/clear", nil), "viewer clear")
		require.True(t, b.InGenieACS(t, gidA+":default"))
	})

	t.Run("OtherOrganizationsFaultIs404", func(t *testing.T) {
		p := admin.In(t).Post("/faults/"+theirs+"/clear", nil)
		require.Equal(t, http.StatusNotFound, p.Status)
		require.True(t, b.InGenieACS(t, gidB+":default"))
	})

	t.Run("ClearWorks", func(t *testing.T) {
		br := admin.In(t)
		p := br.Get(href)
		form := p.TestID("fault-" + mine).Find("form")
		require.Equal(t, "/faults/"+mine+"/clear", form.AttrOr("action", ""))
		require.Contains(t, form.AttrOr("data-confirm", ""), "deleted in GenieACS")
		back := form.Find(`input[name="back"]`).AttrOr("value", "")
		require.Equal(t, href, back)
		p = br.Post("/faults/"+mine+"/clear", url.Values{"back": {back}})
		p = follow(t, br, p, href)
		require.Contains(t, p.TestID("flash").Text(), "Cleared cwmp.9002")
		require.Zero(t, p.TestID("fault-"+mine).Length(), "no longer active")
		require.False(t, b.InGenieACS(t, gidA+":default"))

		p = br.Get("/faults?status=cleared")
		require.Equal(t, http.StatusOK, p.Status)
		row := p.TestID("fault-" + mine)
		require.Equal(t, "cleared", row.Find(`[data-testid="fault-status"]`).Text())
		require.Zero(t, row.Find(`[data-testid="fault-clear"]`).Length(), "a cleared fault has no button")
	})
}
