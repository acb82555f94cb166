package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
			"recentlyOffline", "neverSeen", "models", "faultsByDay", "asOf"}, keys)
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
