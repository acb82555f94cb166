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
	if err := h.Sync.Request(c.Request().Context(), actorOf(c), c.FormValue("kind")); err != nil {
		if errs, ok := formErrors(err); ok {
			flash(c, firstMessage(errs))
			return seeOther(c, "/admin/sync")
		}
		return err
	}
	flash(c, "A full pass is queued; it shows here when it runs.")
	return seeOther(c, "/admin/sync")
}
