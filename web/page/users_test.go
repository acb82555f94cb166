package page_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestUsersPage(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()

	t.Run("AdminCreatesTechnicianWhoCanLogIn", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		p := br.Get("/users")
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("user-row-"+b.TechA.Email).Length())
		require.Zero(t, p.TestID("user-row-"+b.AdminB.Email).Length(), "another organization's staff is not listed")

		p = br.Post("/users", url.Values{"email": {"Nia@Acme.Example"}, "name": {"Nia"}, "role": {"technician"}, "password": {"nia-password-1"}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		p = br.Get(p.Header.Get("Location"))
		require.Contains(t, p.TestID("flash").Text(), "Added nia@acme.example as technician")
		require.Equal(t, "technician", strings.TrimSpace(p.TestID("user-row-nia@acme.example").Find(`option[selected]`).Text()))

		nia := b.Browser(t)
		require.Equal(t, http.StatusSeeOther, nia.Login("nia@acme.example", "nia-password-1").Status)
		require.Equal(t, "nia@acme.example", nia.Get("/").TestID("whoami").Text())
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/users")
		p := br.Post("/users", url.Values{"email": {"nope"}, "name": {"X"}, "role": {"superuser"}, "password": {"short"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.NotEmpty(t, p.TestID("error-email").Text())
		require.NotEmpty(t, p.TestID("error-role").Text())
		require.Contains(t, p.TestID("error-password").Text(), "at least 10")
		require.Equal(t, "nope", p.TestID("new-email").AttrOr("value", ""), "typed values are kept")

		p = br.Post("/users", url.Values{"email": {b.TechA.Email}, "role": {"viewer"}, "password": {"long-enough-1"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is already in use", p.TestID("error-email").Text())
	})

	t.Run("ViewerAndTechnicianCannotOpenUsers", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.ViewerA.Email}, {"technician", b.TechA.Email}} {
			br := b.Browser(t)
			require.Equal(t, http.StatusSeeOther, br.Login(u.email, testfactory.Password).Status)
			p := br.Get("/users")
			require.Equal(t, http.StatusForbidden, p.Status, u.name)
			require.Equal(t, 1, p.TestID("error-page").Length())
			require.Zero(t, br.Get("/").TestID("nav-users").Length(), "%s sees no Users link", u.name)
			p = br.Post("/users", url.Values{"email": {"x" + u.name + "@acme.example"}, "role": {"viewer"}, "password": {"long-enough-1"}})
			require.Equal(t, http.StatusForbidden, p.Status)
		}
	})

	t.Run("RoleChangeByHTMXReturnsTheRow", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/users")
		p := br.HTMX("/users/"+b.ViewerA.ID.String()+"/role", url.Values{"role": {"technician"}})
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, "technician", strings.TrimSpace(p.Doc.Find(`option[selected]`).Text()))
		require.Zero(t, p.Doc.Find("html").Find("nav").Length(), "a fragment, not a page")
		var role string
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, b.ViewerA.ID).Scan(&role))
		require.Equal(t, "technician", role)
		// back to viewer for the other subtests
		br.HTMX("/users/"+b.ViewerA.ID.String()+"/role", url.Values{"role": {"viewer"}})
	})

	t.Run("AdminCannotPromoteToOwnerOrEditSelf", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/users")
		require.Equal(t, http.StatusForbidden, br.Post("/users/"+b.TechA.ID.String()+"/role", url.Values{"role": {"owner"}}).Status)
		require.Equal(t, http.StatusForbidden, br.Post("/users/"+b.OwnerA.ID.String()+"/disable", nil).Status)
		p := br.Post("/users/"+b.AdminA.ID.String()+"/role", url.Values{"role": {"viewer"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Contains(t, p.TestID("form-errors").Text(), "your own role")
	})

	t.Run("OtherOrganizationsUserIs404", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/users")
		for _, path := range []string{"/role", "/disable", "/enable"} {
			p := br.Post("/users/"+b.AdminB.ID.String()+path, url.Values{"role": {"viewer"}})
			require.Equal(t, http.StatusNotFound, p.Status, path)
			require.NotContains(t, p.Body, b.AdminB.Email)
		}
		require.Equal(t, http.StatusNotFound, br.Post("/users/not-a-uuid/disable", nil).Status)
	})

	t.Run("DisableEndsTheirSessionAtOnce", func(t *testing.T) {
		victim := testfactory.User(ctx, t, b.Pool, b.OrgA, nil)
		vb := b.LoggedIn(t, victim)
		require.Equal(t, http.StatusOK, vb.Get("/").Status)

		br := b.LoggedIn(t, b.OwnerA)
		br.Get("/users")
		require.Equal(t, http.StatusSeeOther, br.Post("/users/"+victim.ID.String()+"/disable", nil).Status)
		require.Equal(t, http.StatusSeeOther, vb.Get("/").Status, "the disabled user is signed out")
		require.Equal(t, http.StatusUnauthorized, b.Browser(t).Login(victim.Email, testfactory.Password).Status)

		require.Equal(t, http.StatusSeeOther, br.Post("/users/"+victim.ID.String()+"/enable", nil).Status)
		require.Equal(t, http.StatusSeeOther, b.Browser(t).Login(victim.Email, testfactory.Password).Status)
	})
}
