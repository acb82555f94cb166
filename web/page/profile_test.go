package page_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestProfilePassword(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	u := testfactory.User(ctx, t, b.Pool, b.OrgA, nil)
	other := b.LoggedIn(t, u) // another device
	br := b.LoggedIn(t, u)

	p := br.Get("/profile")
	require.Equal(t, u.Email, p.TestID("profile-email").Text())

	p = br.Post("/profile/password", url.Values{"current_password": {testfactory.Password}, "new_password": {"new-password-99"}, "confirm_password": {"different-99"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-confirm_password").Text())

	p = br.Post("/profile/password", url.Values{"current_password": {"wrong-current"}, "new_password": {"new-password-99"}, "confirm_password": {"new-password-99"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Equal(t, "is not your current password", p.TestID("error-current_password").Text())

	p = br.Post("/profile/password", url.Values{"current_password": {testfactory.Password}, "new_password": {"new-password-99"}, "confirm_password": {"new-password-99"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	require.Equal(t, http.StatusOK, br.Get("/profile").Status, "this session continues")
	require.Equal(t, http.StatusSeeOther, other.Get("/").Status, "the other session was revoked")
	require.Equal(t, http.StatusSeeOther, b.Browser(t).Login(u.Email, "new-password-99").Status)
}
