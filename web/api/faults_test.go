package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestFaultsAPI(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 3)
	_, gidA := b.SimDevice(t, b.OrgA, webtest.ModelHuawei, 0)
	_, gidB := b.SimDevice(t, b.OrgB, webtest.ModelZTE, 0)
	b.SeedFaults(t, webtest.FaultDoc(gidA, "default", "cwmp.9002"), webtest.FaultDoc(gidB, "default", "cwmp.9002"))
	mine, theirs := b.FaultID(t, gidA+":default"), b.FaultID(t, gidB+":default")

	t.Run("ListsTheOrganizationsOwn", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/faults", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Len(t, r.Items(), 1)
		it := r.Items()[0].(map[string]any)
		require.Equal(t, mine, it["id"])
		require.Equal(t, "cwmp.9002", it["code"])
		require.Equal(t, "active", it["status"])
		require.EqualValues(t, 2, it["retries"])
		require.Equal(t, "HG8245H", it["productClass"])

		r = b.API(t, http.MethodGet, "/cpe/faults?code=cwmp.9002&model=F660&status=all", b.KeyB, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Len(t, r.Items(), 1)
		require.Equal(t, theirs, r.Items()[0].(map[string]any)["id"])
		r = b.API(t, http.MethodGet, "/cpe/faults?status=resolved", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Empty(t, r.Items())

		require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/faults", "", "").Status)
	})

	t.Run("BadFiltersAre422", func(t *testing.T) {
		for q, field := range map[string]string{
			"status=open": "status", "limit=lots": "limit", "limit=9999": "limit", "device=nope": "device", "after=garbage": "after",
		} {
			r := b.API(t, http.MethodGet, "/cpe/faults?"+q, b.KeyA, "")
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", q, r.Raw)
			require.Contains(t, r.ErrFields(), field, q)
		}
	})

	t.Run("Get", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/faults/"+mine, b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, gidA+":default", r.Body["genieacsId"])
		require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/faults/"+theirs, b.KeyA, "").Status)
		require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/faults/not-an-id", b.KeyA, "").Status)
	})

	t.Run("Clear", func(t *testing.T) {
		r := b.Post(t, "/cpe/faults/"+mine+"/clear", b.KeyViewerA, "")
		require.Equal(t, http.StatusForbidden, r.Status, r.Raw)
		require.Equal(t, "forbidden", r.ErrCode())
		r = b.Post(t, "/cpe/faults/"+theirs+"/clear", b.KeyA, "")
		require.Equal(t, http.StatusNotFound, r.Status, r.Raw)
		require.True(t, b.InGenieACS(t, gidA+":default"))
		require.True(t, b.InGenieACS(t, gidB+":default"), "another organization's fault is untouched")

		r = b.Post(t, "/cpe/faults/"+mine+"/clear", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "cleared", r.Body["status"])
		require.NotEmpty(t, r.Body["clearedBy"])
		require.False(t, b.InGenieACS(t, gidA+":default"), "deleted in GenieACS")
		require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.fault_clear' AND org_id = $1`, b.OrgA.ID))
	})
}
