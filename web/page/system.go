package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	viewsystem "github.com/fyberpay/cpe/views/system"
)

// SystemShow shows the GenieACS integration's state.
func (h *Handler) SystemShow(c echo.Context) error {
	a := actorOf(c)
	st, err := h.Systems.Status(c.Request().Context(), a)
	if err != nil {
		return err
	}
	var conflicts viewsystem.Conflicts
	if conflicts.List, conflicts.Total, err = h.Devices.OpenConflictsAll(c.Request().Context(), a, 20); err != nil {
		return err
	}
	return Render(c, http.StatusOK, viewsystem.Show(Meta(c, "System", "system"), st, a.Can(actor.PermManageProvisions), conflicts))
}

// SystemBootstrap queues a GenieACS bootstrap now.
func (h *Handler) SystemBootstrap(c echo.Context) error {
	if err := h.Systems.RunBootstrap(c.Request().Context(), actorOf(c)); err != nil {
		return err
	}
	flash(c, "Upload queued; this page shows the result when it has run.")
	return seeOther(c, "/admin/system")
}
