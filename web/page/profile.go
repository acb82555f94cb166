package page

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/views/profile"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

func profileView(c echo.Context, errs form.Errors) profile.Page {
	p, _ := middleware.Principal(c)
	return profile.Page{Email: p.Email, Name: p.Name, Role: string(p.Role), OrgName: p.OrgName, Errors: errs}
}

// Profile shows the signed-in staff member's account.
func (h *Handler) Profile(c echo.Context) error {
	return Render(c, http.StatusOK, profile.Show(Meta(c, "Profile", "profile"), profileView(c, nil)))
}

// ProfilePassword changes the signed-in staff member's password; other
// sessions end, this one continues.
func (h *Handler) ProfilePassword(c echo.Context) error {
	current, next, confirm := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("confirm_password")
	if next != confirm {
		return Render(c, http.StatusUnprocessableEntity, profile.Show(Meta(c, "Profile", "profile"),
			profileView(c, form.Errors{"confirm_password": "does not match the new password"})))
	}
	sess := middleware.Session(c)
	err := h.Users.ChangePassword(c.Request().Context(), actorOf(c), current, next, sess.ID)
	var te *user.ThrottledError
	if errs, ok := formErrors(c, err); ok {
		return Render(c, http.StatusUnprocessableEntity, profile.Show(Meta(c, "Profile", "profile"), profileView(c, errs)))
	} else if errors.As(err, &te) || errors.Is(err, user.ErrBusy) {
		he := httperr.From(err)
		c.Response().Header().Set("Retry-After", strconv.Itoa(he.RetryAfter))
		return Render(c, he.Status, profile.Show(Meta(c, "Profile", "profile"), profileView(c, form.Errors{"current_password": he.Message})))
	} else if err != nil {
		return err
	}
	flash(c, "Password changed. Your other sessions have been signed out.")
	return seeOther(c, "/profile")
}
