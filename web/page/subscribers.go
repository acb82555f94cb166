package page

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/views/devices"
	"github.com/fyberpay/cpe/views/subscribers"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

func canManageCatalog(c echo.Context) bool { return actorOf(c).Can(actor.PermManageCatalog) }

// subscriberInput reads the create/edit form. The password is passed to
// the service and never put back into a page.
func subscriberInput(c echo.Context) subscriber.Input {
	in := subscriber.Input{
		Username: c.FormValue("username"), Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		PPPoEUsername: c.FormValue("pppoeUsername"), PPPoEPassword: c.FormValue("pppoePassword"),
		ClearPPPoEPassword: c.FormValue("clearPppoePassword") == "true",
	}
	if v := c.FormValue("planId"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			id = uuid.Nil // never a plan: the service answers "unknown plan"
		}
		in.PlanID = &id
	}
	return in
}

func subscriberForm(in subscriber.Input) subscribers.Form {
	f := subscribers.Form{Username: in.Username, Name: in.Name, Phone: in.Phone, PPPoEUsername: in.PPPoEUsername}
	if in.PlanID != nil {
		f.PlanID = in.PlanID.String()
	}
	return f
}

func formOfSubscriber(s subscriber.Subscriber) subscribers.Form {
	return subscriberForm(subscriber.Input{Username: s.Username, Name: s.Name, Phone: s.Phone, PlanID: s.PlanID, PPPoEUsername: s.PPPoEUsername})
}

// SubscribersList lists subscribers, searched and filtered, keyset-paged.
func (h *Handler) SubscribersList(c echo.Context) error {
	f := subscriber.ParseFilter(c.QueryParams())
	p := subscribers.ListPage{Q: f.Q, Status: f.Status, CanManage: canManageCatalog(c)}
	status := http.StatusOK
	pg, err := h.Subscribers.List(c.Request().Context(), actorOf(c), f)
	if errs, ok := formErrors(c, err); ok {
		p.Errors, status = errs, http.StatusUnprocessableEntity
	} else if err != nil {
		return err
	}
	p.Items = pg.Items
	q := url.Values{}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.After != "" {
		p.FirstHref = "/subscribers"
		if len(q) > 0 {
			p.FirstHref += "?" + q.Encode()
		}
	}
	if pg.Next != "" {
		q.Set("after", pg.Next)
		p.NextHref = "/subscribers?" + q.Encode()
	}
	return Render(c, status, subscribers.List(Meta(c, "Subscribers", "subscribers"), p))
}

// editPage renders the new-subscriber page (s nil) or a subscriber's page.
func (h *Handler) editPage(c echo.Context, status int, s *subscriber.Subscriber, f subscribers.Form) error {
	p := subscribers.EditPage{Subscriber: s, Form: f, CanManage: canManageCatalog(c), CSRF: middleware.CSRF(c)}
	if s != nil {
		ds, err := h.Devices.OfSubscriber(c.Request().Context(), actorOf(c), s.ID)
		if err != nil {
			return err
		}
		p.Devices = ds
	}
	if p.CanManage {
		plans, err := h.Subscribers.ListPlans(c.Request().Context(), actorOf(c))
		if err != nil {
			return err
		}
		p.Plans = plans
	}
	title := "Add a subscriber"
	if s != nil {
		title = "Subscriber " + s.Username
	}
	return Render(c, status, subscribers.Edit(Meta(c, title, "subscribers"), p))
}

// SubscribersNew shows the add-subscriber form.
// SubscribersSuggest is the assign field's search-as-you-type: up to 8
// subscribers whose username starts with, or whose name or phone holds,
// what was typed (the field's own name, subscriber).
func (h *Handler) SubscribersSuggest(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("subscriber"))
	var items []subscriber.Subscriber
	if q != "" {
		p, err := h.Subscribers.List(c.Request().Context(), actorOf(c), subscriber.Filter{Q: q, Limit: 8})
		if err != nil {
			return err
		}
		items = p.Items
	}
	return Render(c, http.StatusOK, devices.SubscriberOptions(items))
}

func (h *Handler) SubscribersNew(c echo.Context) error {
	if err := actorOf(c).Require(actor.PermManageCatalog); err != nil {
		return err
	}
	return h.editPage(c, http.StatusOK, nil, subscribers.Form{})
}

// SubscribersCreate adds a subscriber.
func (h *Handler) SubscribersCreate(c echo.Context) error {
	in := subscriberInput(c)
	s, err := h.Subscribers.Create(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		f := subscriberForm(in)
		f.Errors = errs
		return h.editPage(c, http.StatusUnprocessableEntity, nil, f)
	} else if err != nil {
		return err
	}
	flash(c, "Added subscriber "+s.Username+".")
	return seeOther(c, "/subscribers/"+s.ID.String())
}

// SubscriberShow shows one subscriber: the edit form, or details for
// staff who may only read.
func (h *Handler) SubscriberShow(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	s, err := h.Subscribers.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return h.editPage(c, http.StatusOK, &s, formOfSubscriber(s))
}

// SubscriberUpdate saves the edit form; a blank password keeps the stored one.
func (h *Handler) SubscriberUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	in := subscriberInput(c)
	s, err := h.Subscribers.Update(c.Request().Context(), actorOf(c), id, in)
	if errs, ok := formErrors(c, err); ok {
		cur, gerr := h.Subscribers.Get(c.Request().Context(), actorOf(c), id)
		if gerr != nil {
			return gerr
		}
		f := subscriberForm(in)
		f.Errors = errs
		return h.editPage(c, http.StatusUnprocessableEntity, &cur, f)
	} else if err != nil {
		return err
	}
	flash(c, "Saved subscriber "+s.Username+".")
	return seeOther(c, "/subscribers/"+s.ID.String())
}

// SubscriberSuspend suspends a subscriber.
func (h *Handler) SubscriberSuspend(c echo.Context) error {
	return h.subscriberSetStatus(c, subscriber.StatusSuspended, "Suspended ")
}

// SubscriberActivate re-activates a suspended subscriber.
func (h *Handler) SubscriberActivate(c echo.Context) error {
	return h.subscriberSetStatus(c, subscriber.StatusActive, "Activated ")
}

func (h *Handler) subscriberSetStatus(c echo.Context, status, done string) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	s, err := h.Subscribers.SetStatus(c.Request().Context(), actorOf(c), id, status)
	if err != nil {
		return err
	}
	if middleware.IsHTMX(c) {
		return Render(c, http.StatusOK, subscribers.StatusBox(middleware.CSRF(c), s, canManageCatalog(c)))
	}
	flash(c, done+s.Username+".")
	return seeOther(c, "/subscribers/"+s.ID.String())
}
