package api

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/validation"
)

// ProvisionsList is GET /cpe/provisions.
func (h *Handler) ProvisionsList(c echo.Context) error {
	ps, err := h.Provisions.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(ps))
}

// ProvisionsGet is GET /cpe/provisions/:name: the current script and the
// versions (?version=N: that version's script).
func (h *Handler) ProvisionsGet(c echo.Context) error {
	ctx, a, name := c.Request().Context(), actorOf(c), c.Param("name")
	if v := c.QueryParam("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return validation.Errors{"version": "must be a version number"}
		}
		script, err := h.Provisions.Script(ctx, a, name, n)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"name": name, "version": n, "script": script})
	}
	p, err := h.Provisions.Get(ctx, a, name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ProvisionsPut is PUT /cpe/provisions/:name {script} (the spec): checked,
// then stored in GenieACS as <slug>-<name>, as the next version.
func (h *Handler) ProvisionsPut(c echo.Context) error {
	var in ProvisionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Provisions.Save(c.Request().Context(), actorOf(c), c.Param("name"), in.Script)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ProvisionsRevert is POST /cpe/provisions/:name/revert {version}.
func (h *Handler) ProvisionsRevert(c echo.Context) error {
	var in RevertInput
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Provisions.Revert(c.Request().Context(), actorOf(c), c.Param("name"), in.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ProvisionsDelete is DELETE /cpe/provisions/:name.
func (h *Handler) ProvisionsDelete(c echo.Context) error {
	if err := h.Provisions.Delete(c.Request().Context(), actorOf(c), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ProvisionsBind is PUT /cpe/provisions/:name/binding {events, weight,
// model, enabled}.
func (h *Handler) ProvisionsBind(c echo.Context) error {
	var in orgprovision.Binding
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Provisions.Bind(c.Request().Context(), actorOf(c), c.Param("name"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ProvisionsTry is POST /cpe/provisions/:name/try {deviceId}: one run of
// the current script on one device (a connection request), with what
// changed and GenieACS's fault; nothing stays bound.
func (h *Handler) ProvisionsTry(c echo.Context) error {
	var in TryInput
	if err := decode(c, &in); err != nil {
		return err
	}
	id, err := uuid.Parse(in.DeviceID)
	if err != nil {
		return validation.Errors{"deviceId": "must be a device id"}
	}
	res, err := h.Provisions.Try(c.Request().Context(), actorOf(c), h.Devices, c.Param("name"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
