package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

func TestPlansAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	r := b.API(t, http.MethodPost, "/cpe/plans", b.KeyA, `{"name":"Home 10","genieacsGroup":"home-10"}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, "home-10", r.Body["genieacsGroup"])

	r = b.API(t, http.MethodGet, "/cpe/plans", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Items(), 1)
	r = b.API(t, http.MethodGet, "/cpe/plans/"+id, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "Home 10", r.Body["name"])

	r = b.API(t, http.MethodPut, "/cpe/plans/"+id, b.KeyA, `{"name":"Home 15","genieacsGroup":"home-15"}`)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "Home 15", r.Body["name"])
	require.Equal(t, "home-15", r.Body["genieacsGroup"])

	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			name, method, path, body string
			status                   int
			code                     string
		}{
			{"NotJSON", http.MethodPost, "/cpe/plans", `{`, 400, "bad_json"},
			{"UnknownField", http.MethodPost, "/cpe/plans", `{"name":"x","genieacsGroup":"x","group":"x"}`, 400, "bad_json"},
			{"Trailing", http.MethodPut, "/cpe/plans/" + id, `{"name":"x","genieacsGroup":"x"} {}`, 400, "bad_json"},
			{"Invalid", http.MethodPost, "/cpe/plans", `{"name":"","genieacsGroup":"a.b"}`, 422, "invalid"},
			{"Duplicate", http.MethodPost, "/cpe/plans", `{"name":"Home 15","genieacsGroup":"x"}`, 422, "invalid"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := b.API(t, tc.method, tc.path, b.KeyA, tc.body)
				require.Equal(t, tc.status, r.Status, r.Raw)
				require.Equal(t, tc.code, r.ErrCode())
			})
		}
		r := b.API(t, http.MethodPost, "/cpe/plans", b.KeyA, `{"name":"","genieacsGroup":"a.b"}`)
		require.Contains(t, r.ErrFields(), "name")
		require.Contains(t, r.ErrFields(), "genieacsGroup")
	})
	t.Run("WrongRole", func(t *testing.T) {
		r := b.API(t, http.MethodPost, "/cpe/plans", b.KeyViewerA, `{"name":"V","genieacsGroup":"v"}`)
		require.Equal(t, http.StatusForbidden, r.Status)
		require.Equal(t, "forbidden", r.ErrCode())
		r = b.API(t, http.MethodPut, "/cpe/plans/"+id, b.KeyViewerA, `{"name":"V","genieacsGroup":"v"}`)
		require.Equal(t, http.StatusForbidden, r.Status)
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodGet, "/cpe/plans/" + id, ""},
			{http.MethodPut, "/cpe/plans/" + id, `{"name":"Stolen","genieacsGroup":"x"}`},
		} {
			r := b.API(t, c.method, c.path, b.KeyB, c.body)
			require.Equal(t, http.StatusNotFound, r.Status, "%s %s", c.method, c.path)
			require.NotContains(t, r.Raw, "Home")
		}
		r := b.API(t, http.MethodGet, "/cpe/plans", b.KeyB, "")
		require.Empty(t, r.Items())
		r = b.API(t, http.MethodGet, "/cpe/plans/"+id, b.KeyA, "")
		require.Equal(t, "Home 15", r.Body["name"], "unchanged")
	})
}
