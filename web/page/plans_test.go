package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestPlansPages(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)

	var planID string
	t.Run("AdminCreatesAndEdits", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		p := br.Get("/plans")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("plans-empty").Length())
		require.Equal(t, 1, p.TestID("plan-create-form").Length())

		p = br.Post("/plans", url.Values{"name": {"Home 10"}, "genieacsGroup": {"home-10"}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		require.Equal(t, "/plans", p.Header.Get("Location"))
		p = br.Get("/plans")
		require.Contains(t, p.TestID("flash").Text(), "Added plan Home 10.")
		row := p.TestID("plan-row-Home 10")
		require.Equal(t, 1, row.Length())
		require.Equal(t, "home-10", row.Find(`[data-testid="plan-group"]`).Text())
		href := row.Find(`[data-testid="plan-open"]`).AttrOr("href", "")
		planID = strings.TrimPrefix(href, "/plans/")

		p = br.Get(href)
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, "Home 10", p.TestID("plan-title").Text())
		require.Equal(t, "home-10", p.TestID("plan-group-input").AttrOr("value", ""))
		p = br.Post(href, url.Values{"name": {"Home 20"}, "genieacsGroup": {"home-20"}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		p = br.Get("/plans")
		require.Contains(t, p.TestID("flash").Text(), "Saved plan Home 20.")
		require.Equal(t, "home-20", p.TestID("plan-row-Home 20").Find(`[data-testid="plan-group"]`).Text())
		require.Zero(t, p.TestID("plan-row-Home 10").Length())
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/plans")
		p := br.Post("/plans", url.Values{"name": {""}, "genieacsGroup": {"home.10"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is required", p.TestID("error-name").Text())
		require.Contains(t, p.TestID("error-genieacsGroup").Text(), "letters, digits")
		require.Equal(t, "home.10", p.TestID("plan-group-input").AttrOr("value", ""), "typed values are kept")
		require.Equal(t, 1, p.TestID("plan-row-Home 20").Length(), "the list is still shown")

		p = br.Post("/plans", url.Values{"name": {"Home 20"}, "genieacsGroup": {"other"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is already in use", p.TestID("error-name").Text())

		br.Post("/plans", url.Values{"name": {"Business"}, "genieacsGroup": {"biz"}})
		p = br.Post("/plans/"+planID, url.Values{"name": {"Business"}, "genieacsGroup": {"x y"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "Home 20", p.TestID("plan-title").Text(), "the stored plan heads the page")
		require.NotEmpty(t, p.TestID("error-genieacsGroup").Text())
		p = br.Post("/plans/"+planID, url.Values{"name": {"Business"}, "genieacsGroup": {"biz"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is already in use", p.TestID("error-name").Text())
	})

	t.Run("ViewerAndTechnicianOnlyRead", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.ViewerA.Email}, {"technician", b.TechA.Email}} {
			br := b.Browser(t)
			require.Equal(t, http.StatusSeeOther, br.Login(u.email, testfactory.Password).Status)
			p := br.Get("/plans")
			require.Equal(t, http.StatusOK, p.Status, u.name)
			require.Equal(t, 1, p.TestID("plan-row-Home 20").Length())
			require.Zero(t, p.TestID("plan-create-form").Length(), "%s sees no add form", u.name)
			p = br.Get("/plans/" + planID)
			require.Equal(t, http.StatusOK, p.Status)
			require.Equal(t, "Home 20", p.TestID("plan-title").Text())
			require.Zero(t, p.TestID("plan-edit-form").Length(), "%s sees no edit form", u.name)
			require.Equal(t, http.StatusForbidden, br.Post("/plans", url.Values{"name": {"By " + u.name}, "genieacsGroup": {"x"}}).Status)
			p = br.Post("/plans/"+planID, url.Values{"name": {"By " + u.name}, "genieacsGroup": {"x"}})
			require.Equal(t, http.StatusForbidden, p.Status)
			require.Equal(t, 1, p.TestID("error-page").Length())
		}
		r := b.API(t, http.MethodGet, "/cpe/plans/"+planID, b.KeyA, "")
		require.Equal(t, "Home 20", r.Body["name"], "unchanged")
	})

	t.Run("OtherOrganizationsPlanIs404", func(t *testing.T) {
		ob := b.LoggedIn(t, b.AdminB)
		p := ob.Get("/plans")
		require.Equal(t, 1, p.TestID("plans-empty").Length())
		require.NotContains(t, p.Body, "Home 20")
		p = ob.Get("/plans/" + planID)
		require.Equal(t, http.StatusNotFound, p.Status)
		require.NotContains(t, p.Body, "Home 20")
		ob.Get("/plans")
		p = ob.Post("/plans/"+planID, url.Values{"name": {"Stolen"}, "genieacsGroup": {"x"}})
		require.Equal(t, http.StatusNotFound, p.Status)
		require.Equal(t, http.StatusNotFound, ob.Get("/plans/not-a-uuid").Status)
		p = ob.Post("/plans", url.Values{"name": {"Home 20"}, "genieacsGroup": {"home-20"}})
		require.Equal(t, http.StatusSeeOther, p.Status, "names are unique per organization only")
	})
}
