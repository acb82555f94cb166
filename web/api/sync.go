package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// SyncRuns is GET /cpe/sync/runs: the latest device sync passes (owner,
// admin).
func (h *Handler) SyncRuns(c echo.Context) error {
	runs, err := h.Sync.Runs(c.Request().Context(), actorOf(c), 50)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": runs})
}
