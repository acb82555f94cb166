package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestUsersPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	t.Run("AdminCreatesTechnicianWhoCanLogIn", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		p := br.get("/users")
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 1, p.testid("user-row-"+b.techA.Email).Length())
		require.Zero(t, p.testid("user-row-"+b.adminB.Email).Length(), "another organization's staff is not listed")

		p = br.post("/users", url.Values{"email": {"Nia@Acme.Example"}, "name": {"Nia"}, "role": {"technician"}, "password": {"nia-password-1"}})
		require.Equal(t, http.StatusSeeOther, p.status)
		p = br.get(p.header.Get("Location"))
		require.Contains(t, p.testid("flash").Text(), "Added nia@acme.example as technician")
		require.Equal(t, "technician", strings.TrimSpace(p.testid("user-row-nia@acme.example").Find(`option[selected]`).Text()))

		nia := b.browser(t)
		require.Equal(t, http.StatusSeeOther, nia.login("nia@acme.example", "nia-password-1").status)
		require.Equal(t, "nia@acme.example", nia.get("/").testid("whoami").Text())
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/users")
		p := br.post("/users", url.Values{"email": {"nope"}, "name": {"X"}, "role": {"superuser"}, "password": {"short"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.NotEmpty(t, p.testid("error-email").Text())
		require.NotEmpty(t, p.testid("error-role").Text())
		require.Contains(t, p.testid("error-password").Text(), "at least 10")
		require.Equal(t, "nope", p.testid("new-email").AttrOr("value", ""), "typed values are kept")

		p = br.post("/users", url.Values{"email": {b.techA.Email}, "role": {"viewer"}, "password": {"long-enough-1"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is already in use", p.testid("error-email").Text())
	})

	t.Run("ViewerAndTechnicianCannotOpenUsers", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.viewerA.Email}, {"technician", b.techA.Email}} {
			br := b.browser(t)
			require.Equal(t, http.StatusSeeOther, br.login(u.email, testfactory.Password).status)
			p := br.get("/users")
			require.Equal(t, http.StatusForbidden, p.status, u.name)
			require.Equal(t, 1, p.testid("error-page").Length())
			require.Zero(t, br.get("/").testid("nav-users").Length(), "%s sees no Users link", u.name)
			p = br.post("/users", url.Values{"email": {"x" + u.name + "@acme.example"}, "role": {"viewer"}, "password": {"long-enough-1"}})
			require.Equal(t, http.StatusForbidden, p.status)
		}
	})

	t.Run("RoleChangeByHTMXReturnsTheRow", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/users")
		p := br.htmx("/users/"+b.viewerA.ID.String()+"/role", url.Values{"role": {"technician"}})
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, "technician", strings.TrimSpace(p.doc.Find(`option[selected]`).Text()))
		require.Zero(t, p.doc.Find("html").Find("nav").Length(), "a fragment, not a page")
		var role string
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, b.viewerA.ID).Scan(&role))
		require.Equal(t, "technician", role)
		// back to viewer for the other subtests
		br.htmx("/users/"+b.viewerA.ID.String()+"/role", url.Values{"role": {"viewer"}})
	})

	t.Run("AdminCannotPromoteToOwnerOrEditSelf", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/users")
		require.Equal(t, http.StatusForbidden, br.post("/users/"+b.techA.ID.String()+"/role", url.Values{"role": {"owner"}}).status)
		require.Equal(t, http.StatusForbidden, br.post("/users/"+b.ownerA.ID.String()+"/disable", nil).status)
		p := br.post("/users/"+b.adminA.ID.String()+"/role", url.Values{"role": {"viewer"}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Contains(t, p.testid("error").Text(), "your own role")
	})

	t.Run("OtherOrganizationsUserIs404", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/users")
		for _, path := range []string{"/role", "/disable", "/enable"} {
			p := br.post("/users/"+b.adminB.ID.String()+path, url.Values{"role": {"viewer"}})
			require.Equal(t, http.StatusNotFound, p.status, path)
			require.NotContains(t, p.body, b.adminB.Email)
		}
		require.Equal(t, http.StatusNotFound, br.post("/users/not-a-uuid/disable", nil).status)
	})

	t.Run("DisableEndsTheirSessionAtOnce", func(t *testing.T) {
		victim := testfactory.User(ctx, t, b.pool, b.orgA, nil)
		vb := b.loggedIn(t, victim)
		require.Equal(t, http.StatusOK, vb.get("/").status)

		br := b.loggedIn(t, b.ownerA)
		br.get("/users")
		require.Equal(t, http.StatusSeeOther, br.post("/users/"+victim.ID.String()+"/disable", nil).status)
		require.Equal(t, http.StatusSeeOther, vb.get("/").status, "the disabled user is signed out")
		require.Equal(t, http.StatusUnauthorized, b.browser(t).login(victim.Email, testfactory.Password).status)

		require.Equal(t, http.StatusSeeOther, br.post("/users/"+victim.ID.String()+"/enable", nil).status)
		require.Equal(t, http.StatusSeeOther, b.browser(t).login(victim.Email, testfactory.Password).status)
	})
}

func TestProfilePassword(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u := testfactory.User(ctx, t, b.pool, b.orgA, nil)
	other := b.loggedIn(t, u) // another device
	br := b.loggedIn(t, u)

	p := br.get("/profile")
	require.Equal(t, u.Email, p.testid("profile-email").Text())

	p = br.post("/profile/password", url.Values{"current_password": {testfactory.Password}, "new_password": {"new-password-99"}, "confirm_password": {"different-99"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.NotEmpty(t, p.testid("error-confirm_password").Text())

	p = br.post("/profile/password", url.Values{"current_password": {"wrong-current"}, "new_password": {"new-password-99"}, "confirm_password": {"new-password-99"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.status)
	require.Equal(t, "is not your current password", p.testid("error-current_password").Text())

	p = br.post("/profile/password", url.Values{"current_password": {testfactory.Password}, "new_password": {"new-password-99"}, "confirm_password": {"new-password-99"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, http.StatusOK, br.get("/profile").status, "this session continues")
	require.Equal(t, http.StatusSeeOther, other.get("/").status, "the other session was revoked")
	require.Equal(t, http.StatusSeeOther, b.browser(t).login(u.Email, "new-password-99").status)
}
