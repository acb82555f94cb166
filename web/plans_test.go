package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestPlansPages(t *testing.T) {
	t.Parallel()
	b := setup(t)

	var planID string
	t.Run("AdminCreatesAndEdits", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		p := br.get("/plans")
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 1, p.testid("plans-empty").Length())
		require.Equal(t, 1, p.testid("plan-create-form").Length())

		p = br.post("/plans", url.Values{"name": {"Home 10"}, "genieacsGroup": {"home-10"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		require.Equal(t, "/plans", p.header.Get("Location"))
		p = br.get("/plans")
		require.Contains(t, p.testid("flash").Text(), "Added plan Home 10.")
		row := p.testid("plan-row-Home 10")
		require.Equal(t, 1, row.Length())
		require.Equal(t, "home-10", row.Find(`[data-testid="plan-group"]`).Text())
		href := row.Find(`[data-testid="plan-open"]`).AttrOr("href", "")
		planID = strings.TrimPrefix(href, "/plans/")

		p = br.get(href)
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, "Home 10", p.testid("plan-title").Text())
		require.Equal(t, "home-10", p.testid("plan-group-input").AttrOr("value", ""))
		p = br.post(href, url.Values{"name": {"Home 20"}, "genieacsGroup": {"home-20"}})
		require.Equal(t, http.StatusSeeOther, p.status)
		p = br.get("/plans")
		require.Contains(t, p.testid("flash").Text(), "Saved plan Home 20.")
		require.Equal(t, "home-20", p.testid("plan-row-Home 20").Find(`[data-testid="plan-group"]`).Text())
		require.Zero(t, p.testid("plan-row-Home 10").Length())
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/plans")
		p := br.post("/plans", url.Values{"name": {""}, "genieacsGroup": {"home.10"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is required", p.testid("error-name").Text())
		require.Contains(t, p.testid("error-genieacsGroup").Text(), "letters, digits")
		require.Equal(t, "home.10", p.testid("plan-group-input").AttrOr("value", ""), "typed values are kept")
		require.Equal(t, 1, p.testid("plan-row-Home 20").Length(), "the list is still shown")

		p = br.post("/plans", url.Values{"name": {"Home 20"}, "genieacsGroup": {"other"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is already in use", p.testid("error-name").Text())

		br.post("/plans", url.Values{"name": {"Business"}, "genieacsGroup": {"biz"}})
		p = br.post("/plans/"+planID, url.Values{"name": {"Business"}, "genieacsGroup": {"x y"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "Home 20", p.testid("plan-title").Text(), "the stored plan heads the page")
		require.NotEmpty(t, p.testid("error-genieacsGroup").Text())
		p = br.post("/plans/"+planID, url.Values{"name": {"Business"}, "genieacsGroup": {"biz"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is already in use", p.testid("error-name").Text())
	})

	t.Run("ViewerAndTechnicianOnlyRead", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.viewerA.Email}, {"technician", b.techA.Email}} {
			br := b.browser(t)
			require.Equal(t, http.StatusSeeOther, br.login(u.email, testfactory.Password).status)
			p := br.get("/plans")
			require.Equal(t, http.StatusOK, p.status, u.name)
			require.Equal(t, 1, p.testid("plan-row-Home 20").Length())
			require.Zero(t, p.testid("plan-create-form").Length(), "%s sees no add form", u.name)
			p = br.get("/plans/" + planID)
			require.Equal(t, http.StatusOK, p.status)
			require.Equal(t, "Home 20", p.testid("plan-title").Text())
			require.Zero(t, p.testid("plan-edit-form").Length(), "%s sees no edit form", u.name)
			require.Equal(t, http.StatusForbidden, br.post("/plans", url.Values{"name": {"By " + u.name}, "genieacsGroup": {"x"}}).status)
			p = br.post("/plans/"+planID, url.Values{"name": {"By " + u.name}, "genieacsGroup": {"x"}})
			require.Equal(t, http.StatusForbidden, p.status)
			require.Equal(t, 1, p.testid("error-page").Length())
		}
		r := b.api(t, http.MethodGet, "/cpe/plans/"+planID, b.keyA, "")
		require.Equal(t, "Home 20", r.body["name"], "unchanged")
	})

	t.Run("OtherOrganizationsPlanIs404", func(t *testing.T) {
		ob := b.loggedIn(t, b.adminB)
		p := ob.get("/plans")
		require.Equal(t, 1, p.testid("plans-empty").Length())
		require.NotContains(t, p.body, "Home 20")
		p = ob.get("/plans/" + planID)
		require.Equal(t, http.StatusNotFound, p.status)
		require.NotContains(t, p.body, "Home 20")
		ob.get("/plans")
		p = ob.post("/plans/"+planID, url.Values{"name": {"Stolen"}, "genieacsGroup": {"x"}})
		require.Equal(t, http.StatusNotFound, p.status)
		require.Equal(t, http.StatusNotFound, ob.get("/plans/not-a-uuid").status)
		p = ob.post("/plans", url.Values{"name": {"Home 20"}, "genieacsGroup": {"home-20"}})
		require.Equal(t, http.StatusSeeOther, p.status, "names are unique per organization only")
	})
}

func TestPlansAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.api(t, http.MethodPost, "/cpe/plans", b.keyA, `{"name":"Home 10","genieacsGroup":"home-10"}`)
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, "home-10", r.body["genieacsGroup"])

	r = b.api(t, http.MethodGet, "/cpe/plans", b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.items(), 1)
	r = b.api(t, http.MethodGet, "/cpe/plans/"+id, b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "Home 10", r.body["name"])

	r = b.api(t, http.MethodPut, "/cpe/plans/"+id, b.keyA, `{"name":"Home 15","genieacsGroup":"home-15"}`)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "Home 15", r.body["name"])
	require.Equal(t, "home-15", r.body["genieacsGroup"])

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
				r := b.api(t, tc.method, tc.path, b.keyA, tc.body)
				require.Equal(t, tc.status, r.status, r.raw)
				require.Equal(t, tc.code, r.errCode())
			})
		}
		r := b.api(t, http.MethodPost, "/cpe/plans", b.keyA, `{"name":"","genieacsGroup":"a.b"}`)
		require.Contains(t, r.errFields(), "name")
		require.Contains(t, r.errFields(), "genieacsGroup")
	})
	t.Run("WrongRole", func(t *testing.T) {
		r := b.api(t, http.MethodPost, "/cpe/plans", b.keyViewerA, `{"name":"V","genieacsGroup":"v"}`)
		require.Equal(t, http.StatusForbidden, r.status)
		require.Equal(t, "forbidden", r.errCode())
		r = b.api(t, http.MethodPut, "/cpe/plans/"+id, b.keyViewerA, `{"name":"V","genieacsGroup":"v"}`)
		require.Equal(t, http.StatusForbidden, r.status)
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodGet, "/cpe/plans/" + id, ""},
			{http.MethodPut, "/cpe/plans/" + id, `{"name":"Stolen","genieacsGroup":"x"}`},
		} {
			r := b.api(t, c.method, c.path, b.keyB, c.body)
			require.Equal(t, http.StatusNotFound, r.status, "%s %s", c.method, c.path)
			require.NotContains(t, r.raw, "Home")
		}
		r := b.api(t, http.MethodGet, "/cpe/plans", b.keyB, "")
		require.Empty(t, r.items())
		r = b.api(t, http.MethodGet, "/cpe/plans/"+id, b.keyA, "")
		require.Equal(t, "Home 15", r.body["name"], "unchanged")
	})
}
