package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/org"
)

// seedDashboard gives acme 8 devices (3 online, 2 offline under an hour,
// 2 stale, 1 never seen; firmware V2 ×3, "V3 R1+beta" ×1, V1 ×2 and two
// without a version; models HG8245H ×4, F660 ×3, one unreported) and 4
// faults (3 today, 1 yesterday); beta gets 2 devices and a fault of its own.
func seedDashboard(t *testing.T, b *testBundle) {
	t.Helper()
	n := 0
	dev := func(o org.Org, firmware, model string, ago time.Duration) {
		n++
		var last *time.Time
		if ago >= 0 {
			l := time.Now().Add(-ago)
			last = &l
		}
		_, err := b.pool.Exec(context.Background(), `INSERT INTO cpe_devices (org_id, serial, serial_norm, software_version, product_class, last_inform_at)
			VALUES ($1, $2, $2, $3, $4, $5)`, o.ID, fmt.Sprintf("DASH%08d", n), firmware, model, last)
		require.NoError(t, err)
	}
	fault := func(o org.Org, status string, raised time.Time) {
		n++
		_, err := b.pool.Exec(context.Background(), `INSERT INTO cpe_faults (genieacs_id, org_id, genieacs_device_id, channel, code, status, raised_at)
			VALUES ($1, $2, $1, 'default', '9002', $3, $4)`, fmt.Sprintf("dev-%d", n), o.ID, status, raised)
		require.NoError(t, err)
	}
	dev(b.orgA, "V2", "HG8245H", time.Minute)
	dev(b.orgA, "V3 R1+beta", "HG8245H", 5*time.Minute)
	dev(b.orgA, "V1", "F660", 2*time.Minute)
	dev(b.orgA, "V1", "HG8245H", 20*time.Minute)
	dev(b.orgA, "", "F660", 50*time.Minute)
	dev(b.orgA, "V2", "HG8245H", 3*time.Hour)
	dev(b.orgA, "", "", 40*24*time.Hour)
	dev(b.orgA, "V2", "F660", -1)
	dev(b.orgB, "V9-BETA", "BETA-ONLY", time.Minute)
	dev(b.orgB, "V2", "HG8245H", 2*time.Hour)
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	fault(b.orgA, "active", now)
	fault(b.orgA, "resolved", now)
	fault(b.orgA, "cleared", now)
	fault(b.orgA, "active", today.Add(-time.Hour))
	fault(b.orgB, "active", now)
}

func TestDashboardAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedDashboard(t, b)

	t.Run("SpecFieldsAndExtras", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/dashboard", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		keys := make([]string, 0, len(r.body))
		for k := range r.body {
			keys = append(keys, k)
		}
		require.ElementsMatch(t, []string{"total", "online", "offline", "staleDevices", "firmwareCounts",
			"recentlyOffline", "neverSeen", "models", "faultsByDay", "asOf"}, keys)
		require.EqualValues(t, 8, r.body["total"])
		require.EqualValues(t, 3, r.body["online"])
		require.EqualValues(t, 5, r.body["offline"], "offline is every device not online")
		require.EqualValues(t, 2, r.body["staleDevices"])
		require.EqualValues(t, 2, r.body["recentlyOffline"])
		require.EqualValues(t, 1, r.body["neverSeen"])
		require.Equal(t, map[string]any{"V2": 3.0, "V3 R1+beta": 1.0, "V1": 2.0, "Unknown": 2.0}, r.body["firmwareCounts"])
		require.Equal(t, []any{
			map[string]any{"model": "HG8245H", "count": 4.0, "online": 2.0},
			map[string]any{"model": "F660", "count": 3.0, "online": 1.0},
			map[string]any{"model": "", "count": 1.0, "online": 0.0},
		}, r.body["models"])
		days := r.body["faultsByDay"].([]any)
		require.Len(t, days, 14)
		require.EqualValues(t, 3, days[13].(map[string]any)["count"])
		require.EqualValues(t, 1, days[12].(map[string]any)["count"])
		total := 0.0
		for _, d := range days {
			total += d.(map[string]any)["count"].(float64)
		}
		require.EqualValues(t, 4, total)
		asOf, err := time.Parse(time.RFC3339Nano, r.body["asOf"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), asOf, time.Minute)
	})

	t.Run("OtherOrganizationSeesItsOwn", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/dashboard", b.keyB, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.EqualValues(t, 2, r.body["total"])
		require.EqualValues(t, 1, r.body["online"])
		require.EqualValues(t, 1, r.body["offline"])
		require.EqualValues(t, 1, r.body["staleDevices"])
		require.Equal(t, map[string]any{"V9-BETA": 1.0, "V2": 1.0}, r.body["firmwareCounts"])
		days := r.body["faultsByDay"].([]any)
		require.EqualValues(t, 1, days[13].(map[string]any)["count"])
	})

	t.Run("ViewerMayRead", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/dashboard", b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.EqualValues(t, 8, r.body["total"])
	})

	t.Run("NoKey", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/dashboard", "", "")
		require.Equal(t, http.StatusUnauthorized, r.status)
		require.Equal(t, "unauthorized", r.errCode())
		require.NotContains(t, r.raw, "total")
	})
}

func TestDashboardPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedDashboard(t, b)
	br := b.loggedIn(t, b.viewerA)
	p := br.get("/")
	require.Equal(t, http.StatusOK, p.status)

	t.Run("Counts", func(t *testing.T) {
		for id, want := range map[string]string{"stat-total": "8", "stat-online": "3", "stat-offline": "2",
			"stat-stale": "2", "stat-never-seen": "1", "stat-not-online": "5"} {
			require.Equal(t, want, strings.TrimSpace(p.testid(id).Text()), id)
		}
	})

	t.Run("CountsLinkToTheListTheyCount", func(t *testing.T) {
		for id, want := range map[string]struct {
			href string
			rows int
		}{
			"stat-total-link":      {"/devices", 8},
			"stat-online-link":     {"/devices?status=online", 3},
			"stat-offline-link":    {"/devices?status=offline", 2},
			"stat-stale-link":      {"/devices?status=stale", 2},
			"stat-never-seen-link": {"/devices?status=unknown", 1},
		} {
			href, ok := p.testid(id).Attr("href")
			require.True(t, ok, id)
			require.Equal(t, want.href, href, id)
			require.Equal(t, want.rows, deviceRows(br.get(href)), "%s lists what it counts", href)
		}
	})

	t.Run("FirmwareChart", func(t *testing.T) {
		chart := p.testid("firmware-chart")
		require.Equal(t, 1, chart.Length())
		require.Equal(t, "svg", goquery.NodeName(chart))
		bars := map[string]string{}
		chart.Find(`[data-testid="firmware-bar"]`).Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("data-firmware")
			bars[name], _ = s.Attr("data-count")
			w, _ := s.Find("rect.bar").Attr("width")
			require.NotEqual(t, "0", w, "bar %s has a width", name)
		})
		require.Equal(t, map[string]string{"V2": "3", "Unknown": "2", "V1": "2", "V3 R1+beta": "1"}, bars)

		links := map[string]string{}
		chart.Find(`[data-testid="firmware-link"]`).Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("data-firmware")
			links[name], _ = s.Attr("href")
		})
		require.Equal(t, map[string]string{
			"V2":         "/devices?firmware=V2",
			"V1":         "/devices?firmware=V1",
			"V3 R1+beta": "/devices?firmware=V3+R1%2Bbeta",
		}, links, "every version but Unknown links to its devices")
		require.Equal(t, 1, deviceRows(br.get(links["V3 R1+beta"])), "the escaped filter finds the device")
		require.Equal(t, 3, deviceRows(br.get(links["V2"])))
	})

	t.Run("Models", func(t *testing.T) {
		got := map[string]string{}
		p.testid("model-row").Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("data-model")
			href, _ := s.Find(`[data-testid="model-link"]`).Attr("href")
			got[name] = s.Find(`[data-testid="model-count"]`).Text() + "/" + s.Find(`[data-testid="model-online"]`).Text() + " " + href
		})
		require.Equal(t, map[string]string{
			"HG8245H": "4/2 /devices?model=HG8245H",
			"F660":    "3/1 /devices?model=F660",
			"Unknown": "1/0 ",
		}, got)
		require.Equal(t, 3, deviceRows(br.get("/devices?model=F660")))
	})

	t.Run("FaultsChart", func(t *testing.T) {
		chart := p.testid("faults-chart")
		require.Equal(t, 14, chart.Find("rect.bar").Length())
		today := time.Now().UTC().Format("2006-01-02")
		count, _ := chart.Find(`rect[data-day="` + today + `"]`).Attr("data-count")
		require.Equal(t, "3", count)
	})

	t.Run("OtherOrganizationAbsent", func(t *testing.T) {
		require.NotContains(t, p.body, "V9-BETA")
		require.NotContains(t, p.body, "BETA-ONLY")
	})

	t.Run("OrganizationFiguresKept", func(t *testing.T) {
		require.Equal(t, 1, p.testid("activity-chart").Length())
		require.Equal(t, "4", p.testid("stat-users").Text())
	})

	t.Run("NoFaultsSaysSo", func(t *testing.T) {
		_, err := b.pool.Exec(context.Background(), `DELETE FROM cpe_faults WHERE org_id = $1`, b.orgB.ID)
		require.NoError(t, err)
		pb := b.loggedIn(t, b.adminB).get("/")
		require.Equal(t, "No faults raised in the last 14 days.", pb.testid("faults-chart-empty").Text())
		require.Zero(t, pb.testid("faults-chart").Length(), "no chart of fourteen zeros")
		require.Zero(t, p.testid("faults-chart-empty").Length())
	})
}

// deviceRows counts the rows of a device list page.
func deviceRows(p page) int {
	return p.doc.Find(`tr[data-testid^="device-row-"]`).Length()
}
