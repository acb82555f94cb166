package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/web/httperr"
)

// WebhooksList is GET /cpe/webhooks.
func (h *Handler) WebhooksList(c echo.Context) error {
	es, err := h.Webhooks.ListEndpoints(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(es))
}

// WebhooksGet is GET /cpe/webhooks/:id.
func (h *Handler) WebhooksGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	e, err := h.Webhooks.GetEndpoint(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// WebhookCreated is POST /cpe/webhooks's answer: the endpoint and its
// signing secret, shown once.
type WebhookCreated struct {
	outbox.Endpoint
	Secret string `json:"secret"`
}

// WebhooksCreate is POST /cpe/webhooks; the answer holds the signing
// secret, once.
func (h *Handler) WebhooksCreate(c echo.Context) error {
	var in outbox.EndpointInput
	if err := decode(c, &in); err != nil {
		return err
	}
	e, secret, err := h.Webhooks.CreateEndpoint(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, WebhookCreated{e, secret})
}

// WebhooksUpdate is PUT /cpe/webhooks/:id.
func (h *Handler) WebhooksUpdate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in outbox.EndpointInput
	if err := decode(c, &in); err != nil {
		return err
	}
	e, err := h.Webhooks.UpdateEndpoint(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// WebhooksDelete is DELETE /cpe/webhooks/:id.
func (h *Handler) WebhooksDelete(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Webhooks.DeleteEndpoint(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// WebhooksRotate is POST /cpe/webhooks/:id/rotate-secret.
func (h *Handler) WebhooksRotate(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	secret, err := h.Webhooks.RotateSecret(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"secret": secret})
}

// WebhooksTest is POST /cpe/webhooks/:id/test: queues a webhook.ping.
func (h *Handler) WebhooksTest(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	ev, err := h.Webhooks.SendTest(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"eventId": ev})
}

// WebhooksDeliveries is GET /cpe/webhooks/:id/deliveries?before=&limit=.
func (h *Handler) WebhooksDeliveries(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	var before time.Time
	if v := c.QueryParam("before"); v != "" {
		if before, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return httperr.BadRequest("bad_query", "before must be an RFC 3339 time (the next cursor of a previous page)")
		}
	}
	p, err := h.Webhooks.ListDeliveries(c.Request().Context(), actorOf(c), id, before, 50)
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []outbox.Delivery{}
	}
	return c.JSON(http.StatusOK, p)
}
