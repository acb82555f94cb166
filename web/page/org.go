package page

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/views/profile"
)

// Organization shows the organization's settings (its time zone).
func (h *Handler) Organization(c echo.Context) error {
	return h.organization(c, http.StatusOK, profile.OrgPage{})
}

// organization renders the page; f carries a refused form's values and
// errors (the rest is filled from the organization).
func (h *Handler) organization(c echo.Context, status int, f profile.OrgPage) error {
	a := actorOf(c)
	o, err := h.Orgs.Get(c.Request().Context(), a)
	if err != nil {
		return err
	}
	f.Org, f.CanEdit = o, a.Can(actor.PermManageUsers)
	if f.Errors == nil {
		f.TimeZone = o.TimeZone
	}
	if f.OpticalErrors == nil {
		f.Optical = [3]string{dbm(o.OpticalWeakDBm), dbm(o.OpticalCriticalDBm), dbm(o.OpticalOverloadDBm)}
	}
	return Render(c, status, profile.Organization(Meta(c, "Organization", "organization"), f))
}

func dbm(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// OrganizationOptical sets the optical thresholds (owners and admins).
func (h *Handler) OrganizationOptical(c echo.Context) error {
	typed := [3]string{c.FormValue("opticalWeakDbm"), c.FormValue("opticalCriticalDbm"), c.FormValue("opticalOverloadDbm")}
	errs := form.Errors{}
	var vals [3]float64
	for i, name := range []string{"opticalWeakDbm", "opticalCriticalDbm", "opticalOverloadDbm"} {
		v, err := strconv.ParseFloat(strings.TrimSpace(typed[i]), 64)
		if err != nil {
			errs[name] = "must be a number of dBm, such as -27"
		}
		vals[i] = v
	}
	var err error
	if len(errs) == 0 {
		_, err = h.Orgs.SetOptical(c.Request().Context(), actorOf(c), org.Optical{WeakDBm: vals[0], CriticalDBm: vals[1], OverloadDBm: vals[2]})
		if fe, ok := formErrors(c, err); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	} else {
		kept(c, errs)
	}
	if len(errs) > 0 {
		return h.organization(c, http.StatusUnprocessableEntity, profile.OrgPage{Optical: typed, OpticalErrors: errs})
	}
	flash(c, "Optical thresholds saved.")
	return seeOther(c, "/settings/organization")
}

// OrganizationSave sets the time zone (owners and admins).
func (h *Handler) OrganizationSave(c echo.Context) error {
	tz := strings.TrimSpace(c.FormValue("timeZone"))
	o, err := h.Orgs.SetTimeZone(c.Request().Context(), actorOf(c), tz)
	if errs, ok := formErrors(c, err); ok {
		return h.organization(c, http.StatusUnprocessableEntity, profile.OrgPage{TimeZone: tz, Errors: errs})
	} else if err != nil {
		return err
	}
	flash(c, "Times now show in "+o.TimeZone+".")
	return seeOther(c, "/settings/organization")
}
