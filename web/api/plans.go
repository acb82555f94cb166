package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/web/httperr"
)

// PlansList is GET /cpe/plans.
func (h *Handler) PlansList(c echo.Context) error {
	ps, err := h.Subscribers.ListPlans(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(ps))
}

// PlansGet is GET /cpe/plans/:id.
func (h *Handler) PlansGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := h.Subscribers.GetPlan(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// PlansCreate is POST /cpe/plans ({"name","genieacsGroup"}).
func (h *Handler) PlansCreate(c echo.Context) error {
	var in subscriber.PlanInput
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Subscribers.CreatePlan(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

// PlansUpdate is PUT /cpe/plans/:id ({"name","genieacsGroup"}).
func (h *Handler) PlansUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in subscriber.PlanInput
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := h.Subscribers.UpdatePlan(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
