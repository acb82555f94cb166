package page_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestDeviceHealth(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	seed := func(dev uuid.UUID, ago time.Duration, recv, sent, uptime int64, cpu float64, memory int64, clients int) {
		t.Helper()
		_, err := b.Pool.Exec(ctx, `INSERT INTO cpe_metrics (device_id, at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, dev, now.Add(-ago), uptime, cpu, memory, sent, recv, clients)
		require.NoError(t, err)
	}
	dev := testfactory.Device(ctx, t, b.Pool, &b.OrgA, "HEALTHWEB1", nil)
	// Two days ago: in the 7-day window only, too far from the next for a rate.
	seed(dev, 48*time.Hour, 0, 0, 10, 50, 30_000, 1)
	// 1 Mbps down / 0.5 up, then 2 / 1, then a reboot (no rate).
	seed(dev, 60*time.Minute, 1_000_000_000, 1_000_000_000, 1000, 10, 40_000, 2)
	seed(dev, 45*time.Minute, 1_112_500_000, 1_056_250_000, 1900, 20, 41_000, 3)
	seed(dev, 30*time.Minute, 1_337_500_000, 1_168_750_000, 2800, 30, 42_000, 4)
	seed(dev, 15*time.Minute, 5_000, 5_000, 60, 40, 43_000, 5)
	require.NoError(t, cpetest.SetHealth(ctx, b.Pool, dev, cpetest.Health{At: now.Add(-15 * time.Minute), CPUPercent: 40,
		MemoryFreeKiB: 43000, UptimeS: 60, WiFiClients: 5, WANBytesSent: 5000, WANBytesReceived: 5000}))
	empty := testfactory.Device(ctx, t, b.Pool, &b.OrgA, "HEALTHWEB2", nil)
	theirs := testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HEALTHWEB3", nil)
	seed(theirs, 15*time.Minute, 0, 0, 10, 99, 1, 1)
	metrics := "/cpe/devices/" + dev.String() + "/metrics"

	t.Run("APIRatesForViewers", func(t *testing.T) {
		r := b.API(t, http.MethodGet, metrics+"?range=24h", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "24h", r.Body["range"])
		require.EqualValues(t, 4, r.Body["samples"])
		require.Equal(t, []float64{1, 2}, pointValues(t, r.Body["downMbps"]))
		require.Equal(t, []float64{0.5, 1}, pointValues(t, r.Body["upMbps"]))
		require.Equal(t, []float64{10, 20, 30, 40}, pointValues(t, r.Body["cpuPercent"]))
		require.Equal(t, []float64{2, 3, 4, 5}, pointValues(t, r.Body["wifiClients"]))
		require.Nil(t, r.Body["latestDownMbps"], "the newest pair is a reboot")
		require.Nil(t, r.Body["latestUpMbps"])
		latest := r.Body["latest"].(map[string]any)
		require.EqualValues(t, 40, latest["cpuPercent"])
		require.EqualValues(t, 60, latest["uptimeSeconds"])

		r = b.API(t, http.MethodGet, metrics, b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "24h", r.Body["range"], "24 h by default")

		r = b.API(t, http.MethodGet, metrics+"?range=7d", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, []float64{50, 10, 20, 30, 40}, pointValues(t, r.Body["cpuPercent"]))
		require.Equal(t, []float64{1, 2}, pointValues(t, r.Body["downMbps"]), "no rate across two days")
	})

	t.Run("APIRefusals", func(t *testing.T) {
		r := b.API(t, http.MethodGet, metrics+"?range=1y", b.KeyViewerA, "")
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
		require.Equal(t, "invalid", r.ErrCode())
		require.Contains(t, r.ErrFields(), "range")

		r = b.API(t, http.MethodGet, metrics, b.KeyB, "")
		require.Equal(t, http.StatusNotFound, r.Status, r.Raw)
		r = b.API(t, http.MethodGet, "/cpe/devices/"+theirs.String()+"/metrics", b.KeyA, "")
		require.Equal(t, http.StatusNotFound, r.Status, r.Raw)
		r = b.API(t, http.MethodGet, "/cpe/devices/not-an-id/metrics", b.KeyA, "")
		require.Equal(t, http.StatusNotFound, r.Status, r.Raw)

		require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, metrics, "", "").Status)
	})

	br := b.LoggedIn(t, b.ViewerA)
	fragment := "/devices/" + dev.String() + "/health"

	t.Run("DevicePageLoadsThePanel", func(t *testing.T) {
		p := br.Get("/devices/" + dev.String())
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, fragment, p.TestID("health").AttrOr("hx-get", ""))
		require.Equal(t, "load", p.TestID("health").AttrOr("hx-trigger", ""))

		p = br.Get("/devices/" + dev.String() + "?health=30d")
		require.Equal(t, fragment+"?range=30d", p.TestID("health").AttrOr("hx-get", ""))
		p = br.Get("/devices/" + dev.String() + "?health=bogus")
		require.Equal(t, fragment, p.TestID("health").AttrOr("hx-get", ""))
	})

	t.Run("FragmentDrawsTheCharts", func(t *testing.T) {
		p := br.Get(fragment)
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		require.Zero(t, p.TestID("health-empty").Length())
		require.Equal(t, "24h", p.TestID("health").AttrOr("data-range", ""))
		require.Equal(t, "true", p.TestID("health-range-24h").AttrOr("aria-current", ""))
		require.Equal(t, fragment+"?range=7d", p.TestID("health-range-7d").AttrOr("hx-get", ""))
		_, current := p.TestID("health-range-7d").Attr("aria-current")
		require.False(t, current)

		traffic := p.TestID("health-traffic-chart")
		require.Equal(t, 1, traffic.Length())
		lines := traffic.Find(`[data-testid="health-line"]`)
		require.Equal(t, 2, lines.Length())
		require.Equal(t, "down", lines.Eq(0).AttrOr("data-series", ""))
		require.Equal(t, "2", lines.Eq(0).AttrOr("data-points", ""))
		require.Equal(t, "up", lines.Eq(1).AttrOr("data-series", ""))
		require.Equal(t, "2", lines.Eq(1).AttrOr("data-points", ""))
		require.Equal(t, "2 Mbps", traffic.Find(`[data-testid="axis-max"]`).Text())
		require.Equal(t, "0 Mbps", traffic.Find(`[data-testid="axis-min"]`).Text())
		require.Equal(t, 3, traffic.Find(`[data-testid="axis-time"]`).Length())
		require.Contains(t, p.TestID("health-traffic-legend").Text(), "down")

		cpu := p.TestID("health-cpu-chart").Find(`[data-testid="health-line"]`)
		require.Equal(t, 1, cpu.Length())
		require.Equal(t, "4", cpu.AttrOr("data-points", ""))
		require.Equal(t, 1, strings.Count(cpu.AttrOr("d", ""), "M"), "one segment")
		require.Equal(t, 3, strings.Count(cpu.AttrOr("d", ""), "L"))
		require.Equal(t, "40 %", p.TestID("health-cpu-chart").Find(`[data-testid="axis-max"]`).Text())
		// Each value on hover.
		pts := p.TestID("health-cpu-chart").Find(`[data-testid="chart-point"] title`)
		require.Equal(t, 4, pts.Length())
		require.Regexp(t, `^\d\d:\d\d UTC — CPU use, percent: \d+(\.\d)? %$`, pts.Last().Text())
		require.Equal(t, "4", p.TestID("health-wifi-chart").Find(`[data-testid="health-line"]`).AttrOr("data-points", ""))
		mem := p.TestID("health-memory-chart")
		require.Equal(t, "42 MiB", mem.Find(`[data-testid="axis-max"]`).Text())
		require.Equal(t, "39.1 MiB", mem.Find(`[data-testid="axis-min"]`).Text(), "memory is scaled to its own range")

		require.Equal(t, "40 %", p.TestID("health-latest-cpu").Text())
		require.Equal(t, "42 MiB", p.TestID("health-latest-memory").Text())
		require.Equal(t, "1 min", p.TestID("health-latest-uptime").Text())
		require.Equal(t, "—", p.TestID("health-latest-down").Text(), "the newest pair is a reboot: no rate, not the pair before's 2 Mbps")
		require.Equal(t, "—", p.TestID("health-latest-up").Text())
	})

	t.Run("WeekBreaksTheLineAtTheGap", func(t *testing.T) {
		p := br.Get(fragment + "?range=7d")
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		require.Equal(t, "true", p.TestID("health-range-7d").AttrOr("aria-current", ""))
		cpu := p.TestID("health-cpu-chart").Find(`[data-testid="health-line"]`)
		require.Equal(t, "5", cpu.AttrOr("data-points", ""))
		require.Equal(t, 2, strings.Count(cpu.AttrOr("d", ""), "M"), "two days without samples are not joined")
	})

	t.Run("EmptyState", func(t *testing.T) {
		p := br.Get("/devices/" + empty.String() + "/health")
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		require.Contains(t, p.TestID("health-empty").Text(), "No samples yet — the sync stores one every 15 minutes")
		require.Zero(t, p.Doc.Find("svg").Length())
		require.Equal(t, "—", p.TestID("health-latest-cpu").Text())
	})

	t.Run("FragmentRefusals", func(t *testing.T) {
		require.Equal(t, http.StatusNotFound, br.Get("/devices/"+theirs.String()+"/health").Status)
		require.Equal(t, http.StatusUnprocessableEntity, br.Get(fragment+"?range=1y").Status)
	})
}

// pointValues reads the values of a JSON series.
func pointValues(t *testing.T, v any) []float64 {
	t.Helper()
	ps, ok := v.([]any)
	require.True(t, ok, "a series: %v", v)
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = p.(map[string]any)["value"].(float64)
	}
	return out
}
