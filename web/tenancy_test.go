package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// foreignCall is an API call on an id ({id} in path and body) and the id of
// orgB's object it targets.
type foreignCall struct {
	method, path, body string
	theirs             string
}

// seedForeign seeds one object of every kind in orgB and returns the API
// calls that take their ids.
func seedForeign(t *testing.T, b *webtest.Bundle) []foreignCall {
	t.Helper()
	ctx := context.Background()
	devB := testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HWTCBE7A0001", nil)
	subB := testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgB, &testfactory.SubscriberOpts{PlanGroup: testfactory.Ptr("beta-home")})
	var planB, faultB, taskB, bulkB, importB uuid.UUID
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT id FROM plans WHERE org_id = $1`, b.OrgB.ID).Scan(&planB))
	testfactory.Faults(ctx, t, b.Pool, b.OrgB, 1, 1)
	require.NoError(t, b.Pool.QueryRow(ctx, `UPDATE cpe_faults SET status = 'active' WHERE org_id = $1 RETURNING id`, b.OrgB.ID).Scan(&faultB))
	require.NoError(t, b.Pool.QueryRow(ctx, `INSERT INTO cpe_bulk_actions (org_id, kind, device_ids, summary, actor_label)
		VALUES ($1, 'reboot', ARRAY[$2::uuid], 'reboot 1 device', 'beta') RETURNING id`, b.OrgB.ID, devB).Scan(&bulkB))
	require.NoError(t, b.Pool.QueryRow(ctx, `INSERT INTO cpe_tasks (org_id, device_id, kind, summary, status, actor_label, expires_at)
		VALUES ($1, $2, 'reboot', 'reboot', 'failed', 'beta', now() + interval '1 hour') RETURNING id`, b.OrgB.ID, devB).Scan(&taskB))
	require.NoError(t, b.Pool.QueryRow(ctx, `INSERT INTO cpe_imports (org_id, filename, rows, valid, invalid)
		VALUES ($1, 'beta.csv', '[]', 0, 0) RETURNING id`, b.OrgB.ID).Scan(&importB))
	r := b.API(t, http.MethodPost, "/cpe/webhooks", b.KeyB, `{"url":"https://hooks.beta.example/h","topics":["cpe.claimed"]}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	hookB := r.Body["id"].(string)
	r = b.API(t, http.MethodPost, "/cpe/api-keys", b.KeyB, `{"name":"beta-crm","role":"viewer"}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	keyB := r.Body["id"].(string)
	r = b.API(t, http.MethodGet, "/cpe/audit?action=webhook.create", b.KeyB, "")
	require.Len(t, r.Items(), 1)
	auditB := strconv.FormatFloat(r.Items()[0].(map[string]any)["id"].(float64), 'f', 0, 64)

	dev, sub, plan, user := devB.String(), subB.String(), planB.String(), b.AdminB.ID.String()
	return []foreignCall{
		{http.MethodGet, "/cpe/devices/{id}", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/assign-subscriber", `{"subscriber":"nobody"}`, dev},
		{http.MethodPost, "/cpe/devices/{id}/unassign", "", dev},
		{http.MethodPut, "/cpe/devices/{id}/pon-port", `{"ponPort":"OLT-1 0/1/3"}`, dev},
		{http.MethodPost, "/cpe/devices/{id}/push", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/wifi", `{"band":"2.4GHz","ssid":"x-net","password":"long-enough-1"}`, dev},
		{http.MethodPost, "/cpe/devices/{id}/parameters", `{"parameters":[["Device.ManagementServer.PeriodicInformInterval","300","xsd:unsignedInt"]]}`, dev},
		{http.MethodPost, "/cpe/devices/{id}/reboot", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/factory-reset", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/refresh", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/speed-test", "", dev},
		{http.MethodPost, "/cpe/devices/{id}/ping", `{"host":"example.net"}`, dev},
		{http.MethodGet, "/cpe/devices/{id}/diagnostics", "", dev},
		{http.MethodGet, "/cpe/devices/{id}/metrics", "", dev},
		{http.MethodPost, "/cpe/devices/bulk", `{"action":"reboot","ids":["{id}"]}`, dev},
		{http.MethodPost, "/cpe/devices/{id}/assign-subscriber", `{"subscriberId":"` + sub + `"}`, dev},
		{http.MethodPost, "/cpe/pending/{id}/claim", "", dev},
		{http.MethodGet, "/cpe/tasks/{id}", "", taskB.String()},
		{http.MethodPost, "/cpe/tasks/{id}/retry", "", taskB.String()},
		{http.MethodPost, "/cpe/tasks/{id}/cancel", "", taskB.String()},
		{http.MethodGet, "/cpe/bulk/{id}", "", bulkB.String()},
		{http.MethodGet, "/cpe/imports/{id}", "", importB.String()},
		{http.MethodPost, "/cpe/imports/{id}/commit", "", importB.String()},
		{http.MethodGet, "/cpe/subscribers/{id}", "", sub},
		{http.MethodPut, "/cpe/subscribers/{id}", `{"username":"renamed","name":"R"}`, sub},
		{http.MethodPost, "/cpe/subscribers/{id}/suspend", "", sub},
		{http.MethodPost, "/cpe/subscribers/{id}/activate", "", sub},
		{http.MethodGet, "/cpe/plans/{id}", "", plan},
		{http.MethodPut, "/cpe/plans/{id}", `{"name":"renamed","genieacsGroup":"renamed"}`, plan},
		{http.MethodGet, "/cpe/faults/{id}", "", faultB.String()},
		{http.MethodPost, "/cpe/faults/{id}/clear", "", faultB.String()},
		{http.MethodGet, "/cpe/users/{id}", "", user},
		{http.MethodPatch, "/cpe/users/{id}", `{"disabled":true}`, user},
		{http.MethodGet, "/cpe/api-keys/{id}", "", keyB},
		{http.MethodPost, "/cpe/api-keys/{id}/revoke", "", keyB},
		{http.MethodDelete, "/cpe/api-keys/{id}", "", keyB},
		{http.MethodGet, "/cpe/webhooks/{id}", "", hookB},
		{http.MethodPut, "/cpe/webhooks/{id}", `{"url":"https://evil.example/h","topics":["cpe.claimed"]}`, hookB},
		{http.MethodPost, "/cpe/webhooks/{id}/test", "", hookB},
		{http.MethodPost, "/cpe/webhooks/{id}/rotate-secret", "", hookB},
		{http.MethodGet, "/cpe/webhooks/{id}/deliveries", "", hookB},
		{http.MethodDelete, "/cpe/webhooks/{id}", "", hookB},
		{http.MethodGet, "/cpe/audit/{id}", "", auditB},
	}
}

// Another organization's object and no object at all get the same answer,
// byte for byte: nothing tells a tenant that an id exists elsewhere.
func TestForeignObjectsAnswerLikeMissingOnes(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 2) // device actions reach their device lookup only with GenieACS
	calls := seedForeign(t, b)
	for _, c := range calls {
		random := uuid.NewString()
		if strings.HasPrefix(c.path, "/cpe/audit/") {
			random = "987654321"
		}
		theirs := b.API(t, c.method, strings.ReplaceAll(c.path, "{id}", c.theirs), b.KeyA, strings.ReplaceAll(c.body, "{id}", c.theirs))
		none := b.API(t, c.method, strings.ReplaceAll(c.path, "{id}", random), b.KeyA, strings.ReplaceAll(c.body, "{id}", random))
		what := c.method + " " + c.path
		require.Equal(t, http.StatusNotFound, none.Status, "%s: a random id: %s", what, none.Raw)
		require.Equal(t, none.Status, theirs.Status, "%s: %s", what, theirs.Raw)
		require.Equal(t, none.Raw, theirs.Raw, what)
	}
	// References to another organization's objects inside our own requests.
	ctx := context.Background()
	devA := testfactory.Device(ctx, t, b.Pool, &b.OrgA, "HWTCACE00001", nil)
	var subB, planB string
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT s.id::text, p.id::text FROM subscribers s, plans p WHERE s.org_id = $1 AND p.org_id = $1`, b.OrgB.ID).Scan(&subB, &planB))
	for _, c := range []struct{ method, path, body, theirs string }{
		{http.MethodPost, "/cpe/devices/" + devA.String() + "/assign-subscriber", `{"subscriberId":"{id}"}`, subB},
		{http.MethodPost, "/cpe/subscribers", `{"username":"newsub","name":"N","planId":"{id}"}`, planB},
		{http.MethodPost, "/cpe/devices/bulk", `{"action":"reboot","ids":["` + devA.String() + `","{id}"]}`, calls[0].theirs},
	} {
		random := uuid.NewString()
		theirs := b.API(t, c.method, c.path, b.KeyA, strings.ReplaceAll(c.body, "{id}", c.theirs))
		none := b.API(t, c.method, c.path, b.KeyA, strings.ReplaceAll(c.body, "{id}", random))
		require.GreaterOrEqual(t, none.Status, 400, "%s %s: %s", c.method, c.path, none.Raw)
		require.Equal(t, none.Raw, theirs.Raw, "%s %s", c.method, c.path)
	}

	// Nothing of orgB changed.
	var disabled bool
	require.NoError(t, b.Pool.QueryRow(context.Background(), `SELECT disabled FROM users WHERE id = $1`, b.AdminB.ID).Scan(&disabled))
	require.False(t, disabled)
	require.Equal(t, http.StatusOK, b.API(t, http.MethodGet, "/cpe/me", b.KeyB, "").Status)
}

// Registering a serial another organization has says no more than that it
// cannot be registered, on the API, the page and an import preview.
func TestForeignSerialIsNotNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := webtest.Setup(t)
	testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HWTCBE7A0002", nil)
	r := b.API(t, http.MethodPost, "/cpe/devices", b.KeyA, `{"serial":"HWTCBE7A0002"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	msg, _ := r.ErrFields()["serial"].(string)
	require.NotEmpty(t, msg)
	require.NotContains(t, strings.ToLower(msg), "organization")
	require.NotContains(t, r.Raw, "beta")

	br := b.LoggedIn(t, b.AdminA)
	br.Get("/devices/new")
	p := br.Post("/devices", url.Values{"serial": {"HWTCBE7A0002"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Equal(t, msg, p.TestID("error-serial").Text())
}

// Claiming another organization's device answers like a random id, on the
// page too.
func TestClaimForeignDeviceIsNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := webtest.Setup(t)
	devB := testfactory.Device(ctx, t, b.Pool, &b.OrgB, "HWTCBE7A0003", nil)
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/pending")
	theirs := br.Post("/pending/"+devB.String()+"/claim", nil)
	none := br.Post("/pending/"+uuid.NewString()+"/claim", nil)
	require.Equal(t, none.Status, theirs.Status)
	require.Equal(t, none.TestID("error").Text(), theirs.TestID("error").Text())
	require.Equal(t, strings.TrimSpace(none.Doc.Find("main").Text()), strings.TrimSpace(theirs.Doc.Find("main").Text()))
}

// The same on the pages: another organization's id and a random one give
// the same status and the same page.
func TestForeignObjectsPagesLikeMissingOnes(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 2)
	api := seedForeign(t, b)
	ids := map[string]string{}
	for _, c := range api {
		kind := strings.Split(strings.TrimPrefix(c.path, "/cpe/"), "/")[0]
		ids[kind] = c.theirs
	}
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	calls := []struct {
		method, path string
		form         url.Values
		kind         string
	}{
		{http.MethodGet, "/devices/{id}", nil, "devices"},
		{http.MethodGet, "/devices/{id}/push", nil, "devices"},
		{http.MethodPost, "/devices/{id}/push", nil, "devices"},
		{http.MethodPost, "/devices/{id}/assign", form("subscriber", "nobody"), "devices"},
		{http.MethodPost, "/devices/{id}/unassign", nil, "devices"},
		{http.MethodPost, "/devices/{id}/pon-port", form("ponPort", "OLT-1 0/1/3"), "devices"},
		{http.MethodGet, "/devices/{id}/tasks", nil, "devices"},
		{http.MethodGet, "/devices/{id}/diagnostics", nil, "devices"},
		{http.MethodGet, "/devices/{id}/health", nil, "devices"},
		{http.MethodPost, "/devices/{id}/wifi", form("band", "2.4GHz", "ssid", "x-net", "password", "long-enough-1"), "devices"},
		{http.MethodPost, "/devices/{id}/parameters", form("path", "Device.ManagementServer.PeriodicInformInterval", "value", "300"), "devices"},
		{http.MethodPost, "/devices/{id}/reboot", nil, "devices"},
		{http.MethodPost, "/devices/{id}/refresh", nil, "devices"},
		{http.MethodPost, "/devices/{id}/factory-reset", form("confirm", "HWTCBE7A0001"), "devices"},
		{http.MethodPost, "/devices/{id}/ping", form("host", "example.net"), "devices"},
		{http.MethodPost, "/devices/{id}/speed-test", nil, "devices"},
		{http.MethodPost, "/pending/{id}/claim", nil, "devices"},
		{http.MethodPost, "/tasks/{id}/retry", nil, "tasks"},
		{http.MethodPost, "/tasks/{id}/cancel", nil, "tasks"},
		{http.MethodGet, "/bulk/{id}", nil, "bulk"},
		{http.MethodGet, "/bulk/{id}/progress", nil, "bulk"},
		{http.MethodPost, "/devices/import/{id}/commit", nil, "imports"},
		{http.MethodGet, "/subscribers/{id}", nil, "subscribers"},
		{http.MethodPost, "/subscribers/{id}", form("username", "renamed", "name", "R"), "subscribers"},
		{http.MethodPost, "/subscribers/{id}/suspend", nil, "subscribers"},
		{http.MethodPost, "/subscribers/{id}/activate", nil, "subscribers"},
		{http.MethodGet, "/plans/{id}", nil, "plans"},
		{http.MethodPost, "/plans/{id}", form("name", "renamed", "genieacsGroup", "renamed"), "plans"},
		{http.MethodPost, "/faults/{id}/clear", nil, "faults"},
		{http.MethodPost, "/users/{id}/role", form("role", "viewer"), "users"},
		{http.MethodPost, "/users/{id}/disable", nil, "users"},
		{http.MethodPost, "/users/{id}/enable", nil, "users"},
		{http.MethodPost, "/api-keys/{id}/revoke", nil, "api-keys"},
		{http.MethodGet, "/settings/webhooks/{id}", nil, "webhooks"},
		{http.MethodPost, "/settings/webhooks/{id}", form("url", "https://evil.example/h", "topics", "cpe.claimed"), "webhooks"},
		{http.MethodGet, "/settings/webhooks/{id}/log", nil, "webhooks"},
		{http.MethodPost, "/settings/webhooks/{id}/test", nil, "webhooks"},
		{http.MethodPost, "/settings/webhooks/{id}/rotate", nil, "webhooks"},
		{http.MethodPost, "/settings/webhooks/{id}/delete", nil, "webhooks"},
	}
	br := b.LoggedIn(t, b.OwnerA)
	for _, c := range calls {
		theirs, ok := ids[c.kind]
		require.True(t, ok, c.kind)
		do := func(id string) webtest.Page {
			path := strings.ReplaceAll(c.path, "{id}", id)
			if c.method == http.MethodGet {
				return br.Get(path)
			}
			f := url.Values{}
			for k, v := range c.form {
				f[k] = v
			}
			return br.Post(path, f)
		}
		what := c.method + " " + c.path
		foreign, none := do(theirs), do(uuid.NewString())
		require.Equal(t, http.StatusNotFound, none.Status, "%s: a random id", what)
		require.Equal(t, none.Status, foreign.Status, what)
		require.Equal(t, strings.TrimSpace(none.Doc.Find("main").Text()), strings.TrimSpace(foreign.Doc.Find("main").Text()), what)
	}
}
