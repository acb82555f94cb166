package page

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/views/layout"
	"github.com/fyberpay/cpe/views/shared"
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
		if text := h.outageText(time.Now()); text != "" {
			c.Set(outageKey, text)
		}
		return next(c)
	}
}

// OutageStatus is the banner's own fragment, which it polls.
func (h *Handler) OutageStatus(c echo.Context) error {
	return Render(c, http.StatusOK, layout.OutageBanner(h.outageText(time.Now())))
}

// outageText says what is down, since when and what happens to actions
// meanwhile; empty while GenieACS answers.
func (h *Handler) outageText(now time.Time) string {
	if h.GenieACS == nil {
		return ""
	}
	since, down := h.GenieACS.Outage()
	if !down {
		return ""
	}
	return fmt.Sprintf("GenieACS is unreachable since %s UTC (%s); actions are queued and will be sent when it is back.",
		since.UTC().Format("15:04"), shared.Span(now.Sub(since)))
}
