package web_test

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
)

func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(rcv.Close)

	br := b.loggedIn(t, b.adminA)
	p := br.get("/settings/webhooks")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, 1, p.testid("no-endpoints").Length())

	p = br.post("/settings/webhooks", url.Values{"url": {"not a url"}, "topics": {"cpe.nonsense"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.NotEmpty(t, p.testid("error-url").Text())
	require.NotEmpty(t, p.testid("error-topics").Text())

	p = br.post("/settings/webhooks", url.Values{"url": {rcv.URL + "/hook"}, "topics": {"cpe.claimed", "cpe.assigned"}, "enabled": {"true"}})
	require.Equal(t, http.StatusCreated, p.status)
	secretText := p.testid("secret-value").Text()
	require.True(t, strings.HasPrefix(secretText, "whsec_"))
	require.Equal(t, 1, p.testid("no-deliveries").Length())
	editAction, _ := p.testid("endpoint-edit-form").Attr("action")
	id := strings.TrimPrefix(editAction, "/settings/webhooks/")

	p = br.get("/settings/webhooks/" + id)
	require.NotContains(t, p.body, secretText, "the secret is shown once only")

	// A worker delivers the test event; the log fragment shows it.
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{7}, 32)}})
	require.NoError(t, err)
	ins, err := jobs.NewInserter(b.pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	wc, err := jobs.NewWorkerClient(jobs.Deps{Pool: b.pool, Logger: slog.New(slog.DiscardHandler), Box: box, Inserter: ins,
		HTTPClient: outbox.NewHTTPClient(true), Fast: true})
	require.NoError(t, err)
	require.NoError(t, wc.Start(context.Background()))
	t.Cleanup(func() { _ = wc.Stop(context.Background()) })

	p = br.post("/settings/webhooks/"+id+"/test", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	p = br.get(p.header.Get("Location"))
	require.Contains(t, p.testid("flash").Text(), "Test event queued")
	require.Eventually(t, func() bool {
		lg := br.get("/settings/webhooks/" + id + "/log")
		return lg.doc.Find(`[data-testid="delivery-row"][data-status="succeeded"]`).Length() == 1
	}, 10*time.Second, 50*time.Millisecond)
	require.EqualValues(t, 1, hits.Load())

	p = br.post("/settings/webhooks/"+id, url.Values{"url": {rcv.URL + "/v2"}, "topics": {"cpe.claimed"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	p = br.get("/settings/webhooks/" + id)
	require.Contains(t, p.testid("endpoint-url-view").Text(), "/v2")
	require.Contains(t, p.testid("endpoint-url-view").Text(), "disabled", "unchecked box disables")

	t.Run("OtherOrgAndWrongRole", func(t *testing.T) {
		ob := b.loggedIn(t, b.adminB)
		require.Equal(t, http.StatusNotFound, ob.get("/settings/webhooks/"+id).status)
		require.Equal(t, http.StatusNotFound, ob.get("/settings/webhooks/"+id+"/log").status)
		require.Equal(t, http.StatusNotFound, ob.post("/settings/webhooks/"+id+"/delete", nil).status)
		require.Equal(t, http.StatusNotFound, ob.post("/settings/webhooks/"+id+"/test", nil).status)
		require.NotContains(t, ob.get("/settings/webhooks").body, rcv.URL)
		tb := b.loggedIn(t, b.techA)
		require.Equal(t, http.StatusForbidden, tb.get("/settings/webhooks").status)
		require.Equal(t, http.StatusForbidden, tb.post("/settings/webhooks/"+id+"/rotate", nil).status)
	})

	p = br.post("/settings/webhooks/"+id+"/rotate", nil)
	require.Equal(t, http.StatusOK, p.status)
	require.NotEqual(t, secretText, p.testid("secret-value").Text())

	p = br.post("/settings/webhooks/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, http.StatusNotFound, br.get("/settings/webhooks/"+id).status)
}

func TestRiverUIAccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.Equal(t, http.StatusSeeOther, b.browser(t).get("/admin/jobs/").status)
	require.Equal(t, http.StatusForbidden, b.loggedIn(t, b.techA).get("/admin/jobs/").status)
	p := b.loggedIn(t, b.adminA).get("/admin/jobs/")
	require.Equal(t, http.StatusOK, p.status)
	require.Contains(t, strings.ToLower(p.body), "<!doctype html>")
}
