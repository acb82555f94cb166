package page_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestDashboardPage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	webtest.SeedDashboard(t, b)
	br := b.LoggedIn(t, b.ViewerA)
	p := br.Get("/")
	require.Equal(t, http.StatusOK, p.Status)

	t.Run("Counts", func(t *testing.T) {
		for id, want := range map[string]string{"stat-total": "8", "stat-online": "3", "stat-offline": "2",
			"stat-stale": "2", "stat-never-seen": "1", "stat-not-online": "5"} {
			require.Equal(t, want, strings.TrimSpace(p.TestID(id).Text()), id)
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
			href, ok := p.TestID(id).Attr("href")
			require.True(t, ok, id)
			require.Equal(t, want.href, href, id)
			require.Equal(t, want.rows, deviceRows(br.Get(href)), "%s lists what it counts", href)
		}
	})

	t.Run("FirmwareChart", func(t *testing.T) {
		chart := p.TestID("firmware-chart")
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
		require.Equal(t, 1, deviceRows(br.Get(links["V3 R1+beta"])), "the escaped filter finds the device")
		require.Equal(t, 3, deviceRows(br.Get(links["V2"])))
	})

	t.Run("Models", func(t *testing.T) {
		got := map[string]string{}
		p.TestID("model-row").Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("data-model")
			href, _ := s.Find(`[data-testid="model-link"]`).Attr("href")
			got[name] = s.Find(`[data-testid="model-count"]`).Text() + "/" + s.Find(`[data-testid="model-online"]`).Text() + " " + href
		})
		require.Equal(t, map[string]string{
			"HG8245H": "4/2 /devices?model=HG8245H",
			"F660":    "3/1 /devices?model=F660",
			"Unknown": "1/0 ",
		}, got)
		require.Equal(t, 3, deviceRows(br.Get("/devices?model=F660")))
	})

	t.Run("FaultsChart", func(t *testing.T) {
		chart := p.TestID("faults-chart")
		require.Equal(t, 14, chart.Find("rect.bar").Length())
		today := time.Now().UTC().Format("2006-01-02")
		count, _ := chart.Find(`rect[data-day="` + today + `"]`).Attr("data-count")
		require.Equal(t, "3", count)
		// Values on the bars, and what they count.
		require.Equal(t, []string{"1", "3"}, chart.Find(`[data-testid="bar-value"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() }))
		require.Equal(t, "faults per day (UTC)", chart.Find(`[data-testid="axis-unit"]`).Text())
	})

	t.Run("OtherOrganizationAbsent", func(t *testing.T) {
		require.NotContains(t, p.Body, "V9-BETA")
		require.NotContains(t, p.Body, "BETA-ONLY")
	})

	t.Run("OrganizationFiguresKept", func(t *testing.T) {
		require.Equal(t, 1, p.TestID("activity-chart").Length())
		require.Equal(t, "4", p.TestID("stat-users").Text())
	})

	t.Run("NoFaultsSaysSo", func(t *testing.T) {
		_, err := b.Pool.Exec(context.Background(), `DELETE FROM cpe_faults WHERE org_id = $1`, b.OrgB.ID)
		require.NoError(t, err)
		pb := b.LoggedIn(t, b.AdminB).Get("/")
		require.Equal(t, "No faults raised in the last 14 days.", pb.TestID("faults-chart-empty").Text())
		require.Zero(t, pb.TestID("faults-chart").Length(), "no chart of fourteen zeros")
		require.Zero(t, p.TestID("faults-chart-empty").Length())
	})
}

// deviceRows counts the rows of a device list page.
func deviceRows(p webtest.Page) int {
	return p.Doc.Find(`tr[data-testid^="device-row-"]`).Length()
}
