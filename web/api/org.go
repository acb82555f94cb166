package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// OrganizationGet is GET /cpe/organization: the key's organization (slug,
// name, timeZone).
func (h *Handler) OrganizationGet(c echo.Context) error {
	o, err := h.Orgs.Get(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// OrganizationPut is PUT /cpe/organization {"timeZone":"Africa/Nairobi"}
// (owner, admin).
func (h *Handler) OrganizationPut(c echo.Context) error {
	var in struct {
		TimeZone string `json:"timeZone"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	o, err := h.Orgs.SetTimeZone(c.Request().Context(), actorOf(c), in.TimeZone)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}
