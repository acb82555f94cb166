package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/dashboard"
)

// DashboardAnswer is GET /cpe/dashboard's answer: the spec's five fields,
// then extras under names of their own.
type DashboardAnswer struct {
	// Total is every device of the organization: Online + Offline.
	Total int `json:"total"`
	// Online devices informed within the last 10 minutes.
	Online int `json:"online"`
	// Offline is every device that is not online: recentlyOffline +
	// staleDevices + neverSeen. (The device list's status=offline is
	// recentlyOffline only.)
	Offline int `json:"offline"`
	// StaleDevices last informed more than an hour ago (status=stale). A
	// device that never informed has not been offline for an hour: it is
	// in neverSeen, not here.
	StaleDevices int `json:"staleDevices"`
	// FirmwareCounts is devices per software version; devices that have
	// not reported one are under "Unknown".
	FirmwareCounts map[string]int `json:"firmwareCounts"`

	// RecentlyOffline last informed 10 minutes to an hour ago
	// (status=offline).
	RecentlyOffline int `json:"recentlyOffline"`
	// NeverSeen have no inform yet (status=unknown).
	NeverSeen int `json:"neverSeen"`
	// Models is devices per product class, most first ("" when unreported).
	Models []DashboardModel `json:"models"`
	// FaultsByDay is faults raised per UTC day, the last 14 days, oldest
	// first.
	FaultsByDay []dashboard.DayCount `json:"faultsByDay"`
	// FirmwareCompliance is, per model with an uploaded image, the newest
	// image's version and how many of the model's devices run it.
	FirmwareCompliance []dashboard.Compliance `json:"firmwareCompliance"`
	// OpticalAlarms counts the GPON ONTs whose received optical level is
	// in alarm, by level: {"weak", "critical", "overload"}
	// (status=optical_alarm lists them).
	OpticalAlarms map[string]int `json:"opticalAlarms"`
	// AsOf is the instant the statuses were computed against.
	AsOf time.Time `json:"asOf"`
}

type DashboardModel struct {
	Model  string `json:"model"`
	Count  int    `json:"count"`
	Online int    `json:"online"`
}

// Dashboard is GET /cpe/dashboard: the organization's CPE figures.
func (h *Handler) Dashboard(c echo.Context) error {
	f, err := h.Dashboards.Fleet(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	body := DashboardAnswer{
		Total: f.Total, Online: f.Online, Offline: f.Offline(), StaleDevices: f.Stale, FirmwareCounts: f.FirmwareCounts(),
		RecentlyOffline: f.RecentlyOffline, NeverSeen: f.NeverSeen, Models: make([]DashboardModel, 0, len(f.Models)),
		FaultsByDay: f.FaultsByDay, FirmwareCompliance: f.Compliance, AsOf: f.AsOf, OpticalAlarms: f.OpticalAlarms,
	}
	if body.FirmwareCompliance == nil {
		body.FirmwareCompliance = []dashboard.Compliance{}
	}
	for _, m := range f.Models {
		body.Models = append(body.Models, DashboardModel{Model: m.Value, Count: m.Count, Online: m.Online})
	}
	return c.JSON(http.StatusOK, body)
}
