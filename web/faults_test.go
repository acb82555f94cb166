package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/jobs"
)

// faultDoc is a fault document as GenieACS writes it.
func faultDoc(device, channel, code string) string {
	return `{"_id":"` + device + `:` + channel + `","device":"` + device + `","channel":"` + channel +
		`","timestamp":"2026-01-02T03:04:05.000Z","code":"` + code + `","message":"Invalid arguments","retries":2,"provisions":"[]"}`
}

// seedFaults puts fault documents in the simulator and runs one poll.
func (b *testBundle) seedFaults(t *testing.T, docs ...string) {
	t.Helper()
	for _, d := range docs {
		require.NoError(t, b.sim.PutFaultDocument(d))
	}
	ins, err := jobs.NewInserter(b.pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	_, err = fault.NewService(b.pool, b.acs, ins).Poll(context.Background())
	require.NoError(t, err)
}

func (b *testBundle) faultID(t *testing.T, genieID string) string {
	t.Helper()
	var id string
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT id::text FROM cpe_faults WHERE genieacs_id = $1`, genieID).Scan(&id))
	return id
}

func (b *testBundle) inGenieACS(t *testing.T, genieID string) bool {
	t.Helper()
	fs, err := b.acs.Faults(context.Background(), map[string]any{"_id": genieID})
	require.NoError(t, err)
	return len(fs) == 1
}

func TestFaultsAPI(t *testing.T) {
	t.Parallel()
	b := setupWithSim(t, 3)
	_, gidA := b.simDevice(t, b.orgA, modelHuawei, 0)
	_, gidB := b.simDevice(t, b.orgB, modelZTE, 0)
	b.seedFaults(t, faultDoc(gidA, "default", "cwmp.9002"), faultDoc(gidB, "default", "cwmp.9002"))
	mine, theirs := b.faultID(t, gidA+":default"), b.faultID(t, gidB+":default")

	t.Run("ListsTheOrganizationsOwn", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/faults", b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Len(t, r.items(), 1)
		it := r.items()[0].(map[string]any)
		require.Equal(t, mine, it["id"])
		require.Equal(t, "cwmp.9002", it["code"])
		require.Equal(t, "active", it["status"])
		require.EqualValues(t, 2, it["retries"])
		require.Equal(t, "HG8245H", it["productClass"])

		r = b.api(t, http.MethodGet, "/cpe/faults?code=cwmp.9002&model=F660&status=all", b.keyB, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Len(t, r.items(), 1)
		require.Equal(t, theirs, r.items()[0].(map[string]any)["id"])
		r = b.api(t, http.MethodGet, "/cpe/faults?status=resolved", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Empty(t, r.items())

		require.Equal(t, http.StatusUnauthorized, b.api(t, http.MethodGet, "/cpe/faults", "", "").status)
	})

	t.Run("BadFiltersAre422", func(t *testing.T) {
		for q, field := range map[string]string{
			"status=open": "status", "limit=lots": "limit", "limit=9999": "limit", "device=nope": "device", "after=garbage": "after",
		} {
			r := b.api(t, http.MethodGet, "/cpe/faults?"+q, b.keyA, "")
			require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", q, r.raw)
			require.Contains(t, r.errFields(), field, q)
		}
	})

	t.Run("Get", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/faults/"+mine, b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Equal(t, gidA+":default", r.body["genieacsId"])
		require.Equal(t, http.StatusNotFound, b.api(t, http.MethodGet, "/cpe/faults/"+theirs, b.keyA, "").status)
		require.Equal(t, http.StatusNotFound, b.api(t, http.MethodGet, "/cpe/faults/not-an-id", b.keyA, "").status)
	})

	t.Run("Clear", func(t *testing.T) {
		r := b.post(t, "/cpe/faults/"+mine+"/clear", b.keyViewerA, "")
		require.Equal(t, http.StatusForbidden, r.status, r.raw)
		require.Equal(t, "forbidden", r.errCode())
		r = b.post(t, "/cpe/faults/"+theirs+"/clear", b.keyA, "")
		require.Equal(t, http.StatusNotFound, r.status, r.raw)
		require.True(t, b.inGenieACS(t, gidA+":default"))
		require.True(t, b.inGenieACS(t, gidB+":default"), "another organization's fault is untouched")

		r = b.post(t, "/cpe/faults/"+mine+"/clear", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Equal(t, "cleared", r.body["status"])
		require.NotEmpty(t, r.body["clearedBy"])
		require.False(t, b.inGenieACS(t, gidA+":default"), "deleted in GenieACS")
		require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.fault_clear' AND org_id = $1`, b.orgA.ID))
	})
}

func TestFaultBoardPage(t *testing.T) {
	t.Parallel()
	b := setupWithSim(t, 4)
	devA, gidA := b.simDevice(t, b.orgA, modelHuawei, 0)
	_, gidA2 := b.simDevice(t, b.orgA, modelHuawei, 1)
	_, gidB := b.simDevice(t, b.orgB, modelZTE, 0)
	b.seedFaults(t, faultDoc(gidA, "default", "cwmp.9002"), faultDoc(gidA2, "default", "cwmp.9002"),
		faultDoc(gidA, "fyberpay-bootstrap", "timeout"), faultDoc(gidB, "default", "cwmp.9002"))
	mine, theirs := b.faultID(t, gidA+":default"), b.faultID(t, gidB+":default")

	admin := b.loggedIn(t, b.adminA)
	p := admin.get("/faults")
	require.Equal(t, http.StatusOK, p.status, p.body)
	require.Equal(t, "/faults", p.testid("nav-faults").AttrOr("href", ""))
	require.Equal(t, "page", p.testid("nav-faults").AttrOr("aria-current", ""))
	groups := p.testid("fault-group")
	require.Equal(t, 2, groups.Length(), "cwmp.9002 on HG8245H and timeout on HG8245H; not the other organization's")
	first := groups.First()
	require.Equal(t, "cwmp.9002", first.Find(`[data-testid="fault-group-link"]`).Text())
	require.Equal(t, "2", first.Find(`[data-testid="fault-group-count"]`).Text())
	href := first.Find(`[data-testid="fault-group-link"]`).AttrOr("href", "")
	require.Equal(t, "/faults?code=cwmp.9002&model=HG8245H", href)
	require.Equal(t, 3, p.testid("faults-table").Find("tbody tr").Length())
	require.Zero(t, p.testid("fault-"+theirs).Length())

	t.Run("GroupLinkFilters", func(t *testing.T) {
		p := admin.in(t).get(href)
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 2, p.testid("faults-table").Find("tbody tr").Length())
		row := p.testid("fault-" + mine)
		require.Equal(t, "/devices/"+devA.String(), row.Find(`[data-testid="fault-device"]`).AttrOr("href", ""))
		require.Equal(t, "2", row.Find(`[data-testid="fault-retries"]`).Text())
		require.Equal(t, "Invalid arguments", row.Find(`[data-testid="fault-message"]`).Text())
	})

	t.Run("BadFilterIs422", func(t *testing.T) {
		p := admin.in(t).get("/faults?status=open")
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "must be one of active, resolved, cleared, all", p.testid("error-status").Text())
	})

	t.Run("ViewerHasNoClearButton", func(t *testing.T) {
		br := b.loggedIn(t, b.viewerA)
		p := br.get("/faults")
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 3, p.testid("faults-table").Find("tbody tr").Length())
		require.Zero(t, p.testid("fault-clear").Length())
		requireForbidden(t, br.post("/faults/"+mine+"/clear", nil), "viewer clear")
		require.True(t, b.inGenieACS(t, gidA+":default"))
	})

	t.Run("OtherOrganizationsFaultIs404", func(t *testing.T) {
		p := admin.in(t).post("/faults/"+theirs+"/clear", nil)
		require.Equal(t, http.StatusNotFound, p.status)
		require.True(t, b.inGenieACS(t, gidB+":default"))
	})

	t.Run("ClearWorks", func(t *testing.T) {
		br := admin.in(t)
		p := br.get(href)
		form := p.testid("fault-" + mine).Find("form")
		require.Equal(t, "/faults/"+mine+"/clear", form.AttrOr("action", ""))
		require.Contains(t, form.AttrOr("data-confirm", ""), "deleted in GenieACS")
		back := form.Find(`input[name="back"]`).AttrOr("value", "")
		require.Equal(t, href, back)
		p = br.post("/faults/"+mine+"/clear", url.Values{"back": {back}})
		p = follow(t, br, p, href)
		require.Contains(t, p.testid("flash").Text(), "Cleared cwmp.9002")
		require.Zero(t, p.testid("fault-"+mine).Length(), "no longer active")
		require.False(t, b.inGenieACS(t, gidA+":default"))

		p = br.get("/faults?status=cleared")
		require.Equal(t, http.StatusOK, p.status)
		row := p.testid("fault-" + mine)
		require.Equal(t, "cleared", row.Find(`[data-testid="fault-status"]`).Text())
		require.Zero(t, row.Find(`[data-testid="fault-clear"]`).Length(), "a cleared fault has no button")
	})
}
