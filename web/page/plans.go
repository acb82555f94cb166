package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/views/subscribers"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

func planInput(c echo.Context) subscriber.PlanInput {
	return subscriber.PlanInput{Name: c.FormValue("name"), Group: c.FormValue("genieacsGroup"), SeveralDevices: c.FormValue("severalDevices") == "true"}
}

func (h *Handler) plansPage(c echo.Context, status int, f subscribers.PlanForm) error {
	plans, err := h.Subscribers.ListPlans(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return Render(c, status, subscribers.Plans(Meta(c, "Plans", "plans"),
		subscribers.PlansPage{Plans: plans, Form: f, CanManage: canManageCatalog(c), CSRF: middleware.CSRF(c)}))
}

// PlansList lists the organization's plans with the add form.
func (h *Handler) PlansList(c echo.Context) error {
	return h.plansPage(c, http.StatusOK, subscribers.PlanForm{})
}

// PlansCreate adds a plan.
func (h *Handler) PlansCreate(c echo.Context) error {
	in := planInput(c)
	p, err := h.Subscribers.CreatePlan(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		return h.plansPage(c, http.StatusUnprocessableEntity, subscribers.PlanForm{Name: in.Name, Group: in.Group, SeveralDevices: in.SeveralDevices, Errors: errs})
	} else if err != nil {
		return err
	}
	flash(c, "Added plan "+p.Name+".")
	return seeOther(c, "/plans")
}

func (h *Handler) planPage(c echo.Context, status int, p subscriber.Plan, f subscribers.PlanForm) error {
	return Render(c, status, subscribers.PlanEdit(Meta(c, "Plan "+p.Name, "plans"),
		subscribers.PlanPage{Plan: p, Form: f, CanManage: canManageCatalog(c), CSRF: middleware.CSRF(c)}))
}

// PlanShow shows one plan with its edit form.
func (h *Handler) PlanShow(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := h.Subscribers.GetPlan(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return h.planPage(c, http.StatusOK, p, subscribers.PlanForm{Name: p.Name, Group: p.Group, SeveralDevices: p.SeveralDevices})
}

// PlanUpdate saves the edit form.
func (h *Handler) PlanUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	in := planInput(c)
	p, err := h.Subscribers.UpdatePlan(c.Request().Context(), actorOf(c), id, in)
	if errs, ok := formErrors(c, err); ok {
		cur, gerr := h.Subscribers.GetPlan(c.Request().Context(), actorOf(c), id)
		if gerr != nil {
			return gerr
		}
		return h.planPage(c, http.StatusUnprocessableEntity, cur, subscribers.PlanForm{Name: in.Name, Group: in.Group, SeveralDevices: in.SeveralDevices, Errors: errs})
	} else if err != nil {
		return err
	}
	flash(c, "Saved plan "+p.Name+".")
	return seeOther(c, "/plans")
}
