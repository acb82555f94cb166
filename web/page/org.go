package page

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/views/profile"
)

// Organization shows the organization's settings (its time zone).
func (h *Handler) Organization(c echo.Context) error {
	return h.organization(c, http.StatusOK, "", nil)
}

func (h *Handler) organization(c echo.Context, status int, typed string, errs form.Errors) error {
	a := actorOf(c)
	o, err := h.Orgs.Get(c.Request().Context(), a)
	if err != nil {
		return err
	}
	if errs == nil {
		typed = o.TimeZone
	}
	return Render(c, status, profile.Organization(Meta(c, "Organization", "organization"),
		profile.OrgPage{Org: o, CanEdit: a.Can(actor.PermManageUsers), TimeZone: typed, Errors: errs}))
}

// OrganizationSave sets the time zone (owners and admins).
func (h *Handler) OrganizationSave(c echo.Context) error {
	tz := strings.TrimSpace(c.FormValue("timeZone"))
	o, err := h.Orgs.SetTimeZone(c.Request().Context(), actorOf(c), tz)
	if errs, ok := formErrors(c, err); ok {
		return h.organization(c, http.StatusUnprocessableEntity, tz, errs)
	} else if err != nil {
		return err
	}
	flash(c, "Times now show in "+o.TimeZone+".")
	return seeOther(c, "/settings/organization")
}
