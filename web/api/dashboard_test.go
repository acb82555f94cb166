package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestDashboardAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	webtest.SeedDashboard(t, b)

	t.Run("SpecFieldsAndExtras", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		keys := make([]string, 0, len(r.Body))
		for k := range r.Body {
			keys = append(keys, k)
		}
		require.ElementsMatch(t, []string{"total", "online", "offline", "staleDevices", "firmwareCounts",
			"recentlyOffline", "neverSeen", "models", "faultsByDay", "firmwareCompliance", "opticalAlarms", "asOf"}, keys)
		require.Equal(t, map[string]any{"weak": 0.0, "critical": 0.0, "overload": 0.0}, r.Body["opticalAlarms"])
		require.EqualValues(t, 8, r.Body["total"])
		require.EqualValues(t, 3, r.Body["online"])
		require.EqualValues(t, 5, r.Body["offline"], "offline is every device not online")
		require.EqualValues(t, 2, r.Body["staleDevices"])
		require.EqualValues(t, 2, r.Body["recentlyOffline"])
		require.EqualValues(t, 1, r.Body["neverSeen"])
		require.Equal(t, map[string]any{"V2": 3.0, "V3 R1+beta": 1.0, "V1": 2.0, "Unknown": 2.0}, r.Body["firmwareCounts"])
		require.Equal(t, []any{
			map[string]any{"model": "HG8245H", "count": 4.0, "online": 2.0},
			map[string]any{"model": "F660", "count": 3.0, "online": 1.0},
			map[string]any{"model": "", "count": 1.0, "online": 0.0},
		}, r.Body["models"])
		days := r.Body["faultsByDay"].([]any)
		require.Len(t, days, 14)
		require.EqualValues(t, 3, days[13].(map[string]any)["count"])
		require.EqualValues(t, 1, days[12].(map[string]any)["count"])
		total := 0.0
		for _, d := range days {
			total += d.(map[string]any)["count"].(float64)
		}
		require.EqualValues(t, 4, total)
		asOf, err := time.Parse(time.RFC3339Nano, r.Body["asOf"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), asOf, time.Minute)
	})

	t.Run("OtherOrganizationSeesItsOwn", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyB, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.EqualValues(t, 2, r.Body["total"])
		require.EqualValues(t, 1, r.Body["online"])
		require.EqualValues(t, 1, r.Body["offline"])
		require.EqualValues(t, 1, r.Body["staleDevices"])
		require.Equal(t, map[string]any{"V9-BETA": 1.0, "V2": 1.0}, r.Body["firmwareCounts"])
		days := r.Body["faultsByDay"].([]any)
		require.EqualValues(t, 1, days[13].(map[string]any)["count"])
	})

	t.Run("ViewerMayRead", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.EqualValues(t, 8, r.Body["total"])
	})

	t.Run("NoKey", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/dashboard", "", "")
		require.Equal(t, http.StatusUnauthorized, r.Status)
		require.Equal(t, "unauthorized", r.ErrCode())
		require.NotContains(t, r.Raw, "total")
	})
}

// Per model with an uploaded image, the share of its devices on the newest
// one (by upload time), on the page as on the API.
func TestDashboardFirmwareCompliance(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	webtest.SeedDashboard(t, b)
	img := func(o org.Org, model, version string, ago time.Duration) {
		_, err := b.Pool.Exec(context.Background(), `INSERT INTO firmware_images (org_id, filename, stored_name, oui, product_class, version, size, sha256, state, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, '00259E', $4, $5, 10, 'x', 'ready', 'test', $6)`, o.ID, model+version+".bin", o.Slug+"_"+model+version+".bin", model, version, time.Now().Add(-ago))
		require.NoError(t, err)
	}
	img(b.OrgA, "HG8245H", "V1", 2*time.Hour)
	img(b.OrgA, "HG8245H", "V2", time.Hour) // newer upload: the one that counts
	img(b.OrgA, "F660", "V7", time.Hour)
	img(b.OrgA, "NO-DEVICES", "V1", time.Hour)
	img(b.OrgB, "HG8245H", "V3 R1+beta", 0)

	r := b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, []any{
		map[string]any{"model": "HG8245H", "newestVersion": "V2", "devices": 4.0, "onNewest": 2.0},
		map[string]any{"model": "F660", "newestVersion": "V7", "devices": 3.0, "onNewest": 0.0},
	}, r.Body["firmwareCompliance"], "a model without devices is left out; beta's image counts for beta only")

	p := b.LoggedIn(t, b.AdminA).Get("/")
	rows := p.TestID("compliance-row")
	require.Equal(t, 2, rows.Length())
	require.Equal(t, "50", rows.First().AttrOr("data-percent", ""))
	require.Contains(t, rows.First().Text(), "2 of 4 (50 %)")
	require.Equal(t, "HG8245H", p.Doc.Find(`[data-testid="firmware-bar"][data-firmware="V2"]`).AttrOr("data-newest", ""),
		"the firmware chart marks the newest image's version")

	r = b.API(t, http.MethodGet, "/cpe/dashboard", b.KeyB, "")
	require.Equal(t, []any{map[string]any{"model": "HG8245H", "newestVersion": "V3 R1+beta", "devices": 1.0, "onNewest": 0.0}}, r.Body["firmwareCompliance"])
}
