package page

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/views/layout"
	"github.com/fyberpay/cpe/views/shared"
	"github.com/fyberpay/cpe/web/middleware"
)

// Outager tells whether GenieACS is unreachable and since when
// (genieacs.Client).
type Outager interface {
	Outage() (since time.Time, down bool)
}

// outageKey holds the outage text for Meta.
const outageKey = "page.outage"

// OutageNotice puts GenieACS's outage, if there is one, on every page the
// request renders.
func (h *Handler) OutageNotice(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if text := h.outageText(c, time.Now()); text != "" {
			c.Set(outageKey, text)
		}
		return next(c)
	}
}

// OutageStatus is the banner's own fragment, which it polls.
func (h *Handler) OutageStatus(c echo.Context) error {
	return Render(c, http.StatusOK, layout.OutageBanner(h.outageText(c, time.Now())))
}

// outageText says what is down, since when and what happens to actions
// meanwhile; empty while GenieACS answers.
func (h *Handler) outageText(c echo.Context, now time.Time) string {
	if h.GenieACS == nil {
		return ""
	}
	since, down := h.GenieACS.Outage()
	if !down {
		return ""
	}
	loc := time.UTC
	if p, ok := middleware.Principal(c); ok {
		loc = org.Location(p.OrgTimeZone)
	}
	return fmt.Sprintf("GenieACS is unreachable since %s (%s); actions are queued and will be sent when it is back.",
		since.In(loc).Format("15:04 MST"), shared.Span(now.Sub(since)))
}
