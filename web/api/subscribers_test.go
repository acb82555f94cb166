package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestSubscribersAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	home := b.SeedPlan(t, "Home 10", "home-10")
	var bodies []string
	call := func(method, path, key, body string) webtest.APIResp {
		t.Helper()
		r := b.API(t, method, path, key, body)
		bodies = append(bodies, r.Raw)
		return r
	}
	t.Cleanup(func() { b.NoSecrets(t, bodies...) })

	r := call(http.MethodPost, "/cpe/subscribers", b.KeyA, fmt.Sprintf(
		`{"username":"bob","name":"Bob K","phone":"0700 1","planId":%q,"pppoeUsername":"bob@isp","pppoePassword":%q}`, home.ID, webtest.PPP1))
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, "bob", r.Body["username"])
	require.Equal(t, "Home 10", r.Body["planName"])
	require.Equal(t, "home-10", r.Body["planGroup"])
	require.Equal(t, true, r.Body["hasPppoePassword"])
	require.NotContains(t, r.Body, "pppoePassword")
	require.Equal(t, webtest.PPP1, b.PPPoEPassword(t, uuid.MustParse(id)))

	t.Run("ReadAndList", func(t *testing.T) {
		r := call(http.MethodGet, "/cpe/subscribers/"+id, b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, "Bob K", r.Body["name"])
		r = call(http.MethodGet, "/cpe/subscribers?q=bo&status=active&limit=10", b.KeyViewerA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Len(t, r.Items(), 1)
		require.NotContains(t, r.Body, "next")
		r = call(http.MethodGet, "/cpe/subscribers?status=suspended", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, []any{}, r.Body["items"], "an empty page is [], not null")
	})
	t.Run("KeysetPaging", func(t *testing.T) {
		for i := range 5 {
			b.SeedSubscriber(t, subscriber.Input{Username: fmt.Sprintf("k%d", i)})
		}
		var got []string
		path := "/cpe/subscribers?limit=2"
		for range 10 {
			r := call(http.MethodGet, path, b.KeyA, "")
			require.Equal(t, http.StatusOK, r.Status)
			for _, it := range r.Items() {
				got = append(got, it.(map[string]any)["username"].(string))
			}
			next, _ := r.Body["next"].(string)
			if next == "" {
				break
			}
			path = "/cpe/subscribers?limit=2&after=" + url.QueryEscape(next)
		}
		require.Equal(t, []string{"bob", "k0", "k1", "k2", "k3", "k4"}, got)
	})
	t.Run("UpdateKeepsOrReplacesThePassword", func(t *testing.T) {
		r := call(http.MethodPut, "/cpe/subscribers/"+id, b.KeyA, `{"username":"bob","name":"Bob Kamau","pppoeUsername":"bob@isp"}`)
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "Bob Kamau", r.Body["name"])
		require.Nil(t, r.Body["planId"], "PUT replaces: no planId, no plan")
		require.Equal(t, true, r.Body["hasPppoePassword"])
		require.Equal(t, webtest.PPP1, b.PPPoEPassword(t, uuid.MustParse(id)))

		r = call(http.MethodPut, "/cpe/subscribers/"+id, b.KeyA, fmt.Sprintf(`{"username":"bob","pppoeUsername":"bob@isp","pppoePassword":%q}`, webtest.PPP2))
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, webtest.PPP2, b.PPPoEPassword(t, uuid.MustParse(id)))

		r = call(http.MethodPut, "/cpe/subscribers/"+id, b.KeyA, `{"username":"bob","pppoeUsername":"bob@isp","clearPppoePassword":true}`)
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, false, r.Body["hasPppoePassword"])
	})
	t.Run("SuspendAndActivate", func(t *testing.T) {
		r := call(http.MethodPost, "/cpe/subscribers/"+id+"/suspend", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, "suspended", r.Body["status"])
		r = call(http.MethodPost, "/cpe/subscribers/"+id+"/activate", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Equal(t, "active", r.Body["status"])
	})
	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			name, method, path, body string
			status                   int
			code                     string
		}{
			{"NotJSON", http.MethodPost, "/cpe/subscribers", `{"username":`, 400, "bad_json"},
			{"Empty", http.MethodPost, "/cpe/subscribers", ``, 400, "bad_json"},
			{"UnknownField", http.MethodPost, "/cpe/subscribers", `{"username":"x","password":"y"}`, 400, "bad_json"},
			{"WrongType", http.MethodPut, "/cpe/subscribers/" + id, `{"username":7}`, 400, "bad_json"},
			{"BadPlanID", http.MethodPost, "/cpe/subscribers", `{"username":"x","planId":"nope"}`, 400, "bad_json"},
			{"Invalid", http.MethodPost, "/cpe/subscribers", `{"username":"a b","phone":"x","pppoePassword":"` + webtest.PPP1 + `"}`, 422, "invalid"},
			{"Duplicate", http.MethodPost, "/cpe/subscribers", `{"username":"bob"}`, 422, "invalid"},
			{"BadStatus", http.MethodGet, "/cpe/subscribers?status=gone", ``, 422, "invalid"},
			{"BadLimit", http.MethodGet, "/cpe/subscribers?limit=lots", ``, 400, "bad_query"},
			{"LimitTooHigh", http.MethodGet, "/cpe/subscribers?limit=500", ``, 422, "invalid"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := call(tc.method, tc.path, b.KeyA, tc.body)
				require.Equal(t, tc.status, r.Status, r.Raw)
				require.Equal(t, tc.code, r.ErrCode())
			})
		}
		r := call(http.MethodPost, "/cpe/subscribers", b.KeyA, `{"username":"a b","phone":"x","pppoePassword":"`+webtest.PPP1+`"}`)
		require.Contains(t, r.ErrFields(), "username")
		require.Contains(t, r.ErrFields(), "phone")
		require.Contains(t, r.ErrFields(), "pppoeUsername")
		r = call(http.MethodPost, "/cpe/subscribers", b.KeyA, `{"username":"bob"}`)
		require.Equal(t, "is already in use", r.ErrFields()["username"])
		r = call(http.MethodPost, "/cpe/subscribers", b.KeyA, `{"username":"zed","planId":"`+uuid.NewString()+`"}`)
		require.Equal(t, "unknown plan", r.ErrFields()["planId"])
	})
	t.Run("WrongRole", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodPost, "/cpe/subscribers", `{"username":"v"}`},
			{http.MethodPut, "/cpe/subscribers/" + id, `{"username":"v"}`},
			{http.MethodPost, "/cpe/subscribers/" + id + "/suspend", ""},
			{http.MethodPost, "/cpe/subscribers/" + id + "/activate", ""},
		} {
			r := call(c.method, c.path, b.KeyViewerA, c.body)
			require.Equal(t, http.StatusForbidden, r.Status, "%s %s", c.method, c.path)
			require.Equal(t, "forbidden", r.ErrCode())
		}
		r := call(http.MethodGet, "/cpe/subscribers/"+id, b.KeyA, "")
		require.Equal(t, "bob", r.Body["username"], "unchanged")
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodGet, "/cpe/subscribers/" + id, ""},
			{http.MethodPut, "/cpe/subscribers/" + id, `{"username":"stolen"}`},
			{http.MethodPost, "/cpe/subscribers/" + id + "/suspend", ""},
			{http.MethodPost, "/cpe/subscribers/" + id + "/activate", ""},
			{http.MethodGet, "/cpe/subscribers/not-a-uuid", ""},
		} {
			r := call(c.method, c.path, b.KeyB, c.body)
			require.Equal(t, http.StatusNotFound, r.Status, "%s %s", c.method, c.path)
			require.Equal(t, "not_found", r.ErrCode())
			require.NotContains(t, r.Raw, "bob")
		}
		r := call(http.MethodGet, "/cpe/subscribers", b.KeyB, "")
		require.Equal(t, http.StatusOK, r.Status)
		require.Empty(t, r.Items())
		r = call(http.MethodPost, "/cpe/subscribers", b.KeyB, `{"username":"bob","planId":"`+home.ID.String()+`"}`)
		require.Equal(t, "unknown plan", r.ErrFields()["planId"], "acme's plan is not beta's")
		r = call(http.MethodPost, "/cpe/subscribers", b.KeyB, `{"username":"bob"}`)
		require.Equal(t, http.StatusCreated, r.Status, "beta may have its own bob")
	})
}
