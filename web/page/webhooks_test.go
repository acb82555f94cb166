package page_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(rcv.Close)

	br := b.LoggedIn(t, b.AdminA)
	p := br.Get("/settings/webhooks")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("no-endpoints").Length())

	p = br.Post("/settings/webhooks", url.Values{"url": {"not a url"}, "topics": {"cpe.nonsense"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-url").Text())
	require.NotEmpty(t, p.TestID("error-topics").Text())

	p = br.Post("/settings/webhooks", url.Values{"url": {rcv.URL + "/hook"}, "topics": {"cpe.claimed", "cpe.assigned"}, "enabled": {"true"}})
	require.Equal(t, http.StatusCreated, p.Status)
	secretText := p.TestID("secret-value").Text()
	require.True(t, strings.HasPrefix(secretText, "whsec_"))
	require.Equal(t, 1, p.TestID("no-deliveries").Length())
	editAction, _ := p.TestID("endpoint-edit-form").Attr("action")
	id := strings.TrimPrefix(editAction, "/settings/webhooks/")

	p = br.Get("/settings/webhooks/" + id)
	require.NotContains(t, p.Body, secretText, "the secret is shown once only")

	// A worker delivers the test event; the log fragment shows it.
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{7}, 32)}})
	require.NoError(t, err)
	ins, err := jobs.NewInserter(b.Pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	wc, err := jobs.NewWorkerClient(jobs.Deps{Pool: b.Pool, Logger: slog.New(slog.DiscardHandler), Box: box, Inserter: ins,
		HTTPClient: outbox.NewHTTPClient(true), Fast: true})
	require.NoError(t, err)
	require.NoError(t, wc.Start(context.Background()))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })

	p = br.Post("/settings/webhooks/"+id+"/test", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = br.Get(p.Header.Get("Location"))
	require.Contains(t, p.TestID("flash").Text(), "Test event queued")
	require.Eventually(t, func() bool {
		lg := br.Get("/settings/webhooks/" + id + "/log")
		return lg.Doc.Find(`[data-testid="delivery-row"][data-status="succeeded"]`).Length() == 1
	}, 10*time.Second, 50*time.Millisecond)
	require.EqualValues(t, 1, hits.Load())

	p = br.Post("/settings/webhooks/"+id, url.Values{"url": {rcv.URL + "/v2"}, "topics": {"cpe.claimed"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = br.Get("/settings/webhooks/" + id)
	require.Contains(t, p.TestID("endpoint-url-view").Text(), "/v2")
	require.Contains(t, p.TestID("endpoint-url-view").Text(), "disabled", "unchecked box disables")

	t.Run("OtherOrgAndWrongRole", func(t *testing.T) {
		ob := b.LoggedIn(t, b.AdminB)
		require.Equal(t, http.StatusNotFound, ob.Get("/settings/webhooks/"+id).Status)
		require.Equal(t, http.StatusNotFound, ob.Get("/settings/webhooks/"+id+"/log").Status)
		require.Equal(t, http.StatusNotFound, ob.Post("/settings/webhooks/"+id+"/delete", nil).Status)
		require.Equal(t, http.StatusNotFound, ob.Post("/settings/webhooks/"+id+"/test", nil).Status)
		require.NotContains(t, ob.Get("/settings/webhooks").Body, rcv.URL)
		tb := b.LoggedIn(t, b.TechA)
		require.Equal(t, http.StatusForbidden, tb.Get("/settings/webhooks").Status)
		require.Equal(t, http.StatusForbidden, tb.Post("/settings/webhooks/"+id+"/rotate", nil).Status)
	})

	p = br.Post("/settings/webhooks/"+id+"/rotate", nil)
	require.Equal(t, http.StatusOK, p.Status)
	require.NotEqual(t, secretText, p.TestID("secret-value").Text())

	p = br.Post("/settings/webhooks/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, http.StatusNotFound, br.Get("/settings/webhooks/"+id).Status)
}

func TestWebhookEditFormBadInput(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyA, `{"url":"https://billing.acme.example/h","topics":["cpe.claimed"]}`)
	id := r.Body["id"].(string)
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/settings/webhooks/" + id)
	p := br.Post("/settings/webhooks/"+id, map[string][]string{"url": {"nope"}, "topics": {}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-url").Text())
	require.NotEmpty(t, p.TestID("error-topics").Text())
	r = b.API(t, http.MethodGet, "/cpe/webhooks/"+id, b.KeyA, "")
	require.Equal(t, "https://billing.acme.example/h", r.Body["url"], "nothing half-written")
}
