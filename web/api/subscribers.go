package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/web/httperr"
)

// SubscribersList is GET /cpe/subscribers?q=&status=&after=&limit=, ordered
// by username; next is the after= of the following page.
func (h *Handler) SubscribersList(c echo.Context) error {
	f := subscriber.ParseFilter(c.QueryParams())
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return httperr.BadRequest("bad_query", "limit must be a whole number")
		}
		f.Limit = n
	}
	p, err := h.Subscribers.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []subscriber.Subscriber{}
	}
	return c.JSON(http.StatusOK, p)
}

// SubscribersGet is GET /cpe/subscribers/:id.
func (h *Handler) SubscribersGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	s, err := h.Subscribers.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// SubscribersCreate is POST /cpe/subscribers. The answer never carries the
// PPPoE password, only hasPppoePassword.
func (h *Handler) SubscribersCreate(c echo.Context) error {
	var in subscriber.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Subscribers.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s)
}

// SubscribersUpdate is PUT /cpe/subscribers/:id: every field is replaced,
// except that an empty or absent pppoePassword keeps the stored one
// (clearPppoePassword removes it).
func (h *Handler) SubscribersUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in subscriber.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.Subscribers.Update(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// SubscribersSuspend is POST /cpe/subscribers/:id/suspend.
func (h *Handler) SubscribersSuspend(c echo.Context) error {
	return h.subscriberSetStatus(c, subscriber.StatusSuspended)
}

// SubscribersActivate is POST /cpe/subscribers/:id/activate.
func (h *Handler) SubscribersActivate(c echo.Context) error {
	return h.subscriberSetStatus(c, subscriber.StatusActive)
}

func (h *Handler) subscriberSetStatus(c echo.Context, status string) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	s, err := h.Subscribers.SetStatus(c.Request().Context(), actorOf(c), id, status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}
