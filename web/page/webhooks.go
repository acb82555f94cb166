package page

import (
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/views/webhooks"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

func endpointInput(c echo.Context) outbox.EndpointInput {
	form, _ := c.FormParams()
	enabled := form.Get("enabled") == "true"
	return outbox.EndpointInput{URL: form.Get("url"), Description: form.Get("description"), Topics: form["topics"], Enabled: &enabled}
}

func formOf(in outbox.EndpointInput) webhooks.EndpointForm {
	return webhooks.EndpointForm{URL: in.URL, Description: in.Description, Topics: in.Topics, Enabled: in.Enabled == nil || *in.Enabled}
}

func (h *Handler) webhooksPage(c echo.Context, status int, f webhooks.EndpointForm) error {
	list, err := h.Webhooks.ListEndpoints(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return Render(c, status, webhooks.List(Meta(c, "Webhooks", "webhooks"),
		webhooks.ListPage{Endpoints: list, Form: f, CSRF: middleware.CSRF(c)}))
}

// WebhooksList lists endpoints with the add form.
func (h *Handler) WebhooksList(c echo.Context) error {
	return h.webhooksPage(c, http.StatusOK, webhooks.EndpointForm{Enabled: true})
}

// WebhooksCreate adds an endpoint and shows its secret once.
func (h *Handler) WebhooksCreate(c echo.Context) error {
	in := endpointInput(c)
	e, secret, err := h.Webhooks.CreateEndpoint(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		f := formOf(in)
		f.Errors = errs
		return h.webhooksPage(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.webhookDetail(c, http.StatusCreated, e.ID, secret, nil)
}

// webhookDetail renders an endpoint's page; form, when non-nil, is an edit
// form to show with its errors.
func (h *Handler) webhookDetail(c echo.Context, status int, id uuid.UUID, secret string, form *webhooks.EndpointForm) error {
	p, err := h.detailData(c, id)
	if err != nil {
		return err
	}
	p.Secret = secret
	if form != nil {
		p.Form = *form
	}
	return Render(c, status, webhooks.Detail(Meta(c, "Webhook", "webhooks"), p))
}

func (h *Handler) detailData(c echo.Context, id uuid.UUID) (webhooks.DetailPage, error) {
	ctx, a := c.Request().Context(), actorOf(c)
	e, err := h.Webhooks.GetEndpoint(ctx, a, id)
	if err != nil {
		return webhooks.DetailPage{}, err
	}
	var before time.Time
	if v := c.QueryParam("before"); v != "" {
		if before, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return webhooks.DetailPage{}, httperr.BadRequest("bad_cursor", "before must be an RFC 3339 time")
		}
	}
	log, err := h.Webhooks.ListDeliveries(ctx, a, id, before, 50)
	if err != nil {
		return webhooks.DetailPage{}, err
	}
	p := webhooks.DetailPage{
		Endpoint: e, Log: log, CSRF: middleware.CSRF(c),
		Form: webhooks.EndpointForm{URL: e.URL, Description: e.Description, Topics: e.Topics, Enabled: e.Enabled},
	}
	if log.Next != nil {
		p.OlderHref = "/settings/webhooks/" + id.String() + "?before=" + url.QueryEscape(log.Next.Format(time.RFC3339Nano))
	}
	return p, nil
}

// WebhookShow shows an endpoint with its delivery log.
func (h *Handler) WebhookShow(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	return h.webhookDetail(c, http.StatusOK, id, "", nil)
}

// WebhookLog is the delivery-log fragment htmx polls.
func (h *Handler) WebhookLog(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := h.detailData(c, id)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, webhooks.Log(p))
}

// WebhookUpdate saves the edit form.
func (h *Handler) WebhookUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	in := endpointInput(c)
	_, err = h.Webhooks.UpdateEndpoint(c.Request().Context(), actorOf(c), id, in)
	if errs, ok := formErrors(c, err); ok {
		f := formOf(in)
		f.Errors = errs
		return h.webhookDetail(c, http.StatusUnprocessableEntity, id, "", &f)
	} else if err != nil {
		return err
	}
	flash(c, "Endpoint saved.")
	return seeOther(c, "/settings/webhooks/"+id.String())
}

// WebhookTest queues a test event.
func (h *Handler) WebhookTest(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.Webhooks.SendTest(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	flash(c, "Test event queued; watch the delivery log.")
	return seeOther(c, "/settings/webhooks/"+id.String())
}

// WebhookRotate replaces the secret and shows the new one once.
func (h *Handler) WebhookRotate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	secret, err := h.Webhooks.RotateSecret(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.webhookDetail(c, http.StatusOK, id, secret, nil)
}

// WebhookDelete removes an endpoint.
func (h *Handler) WebhookDelete(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Webhooks.DeleteEndpoint(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	flash(c, "Endpoint deleted.")
	return seeOther(c, "/settings/webhooks")
}
