package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	viewsystem "github.com/fyberpay/cpe/views/system"
)

// SyncShow is the device sync page: the latest passes.
func (h *Handler) SyncShow(c echo.Context) error {
	runs, err := h.Sync.Runs(c.Request().Context(), actorOf(c), 50)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, viewsystem.Sync(Meta(c, "Device sync", "system"), runs, h.Sync.Enabled()))
}

// SyncRequest queues a pass now.
func (h *Handler) SyncRequest(c echo.Context) error {
	queued, err := h.Sync.Request(c.Request().Context(), actorOf(c), c.FormValue("kind"))
	switch errs, ok := formErrors(c, err); {
	case ok:
		flash(c, firstMessage(errs))
	case err != nil:
		return err
	case queued:
		flash(c, "A full pass is queued; it shows here when it runs.")
	default:
		flash(c, "A full pass is already waiting to run; it shows here when it runs.")
	}
	return seeOther(c, "/admin/sync")
}
