package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/validation"
)

// OrganizationGet is GET /cpe/organization: the key's organization (slug,
// name, timeZone, optical thresholds).
func (h *Handler) OrganizationGet(c echo.Context) error {
	o, err := h.Orgs.Get(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// OrganizationPut is PUT /cpe/organization {"timeZone"?, "opticalWeakDbm"?,
// "opticalCriticalDbm"?, "opticalOverloadDbm"?} (owner, admin): what is
// given changes, the rest stays.
func (h *Handler) OrganizationPut(c echo.Context) error {
	var in OrganizationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	o, err := h.Orgs.Get(ctx, a)
	if err != nil {
		return err
	}
	optical := in.OpticalWeakDBm != nil || in.OpticalCriticalDBm != nil || in.OpticalOverloadDBm != nil
	if in.TimeZone == nil && !optical {
		return validation.Errors{"timeZone": "give timeZone or the optical thresholds to change"}
	}
	if in.TimeZone != nil {
		if o, err = h.Orgs.SetTimeZone(ctx, a, *in.TimeZone); err != nil {
			return err
		}
	}
	if optical {
		th := org.Optical{WeakDBm: o.OpticalWeakDBm, CriticalDBm: o.OpticalCriticalDBm, OverloadDBm: o.OpticalOverloadDBm}
		for _, f := range []struct{ in, dst *float64 }{{in.OpticalWeakDBm, &th.WeakDBm}, {in.OpticalCriticalDBm, &th.CriticalDBm}, {in.OpticalOverloadDBm, &th.OverloadDBm}} {
			if f.in != nil {
				*f.dst = *f.in
			}
		}
		if o, err = h.Orgs.SetOptical(ctx, a, th); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, o)
}
