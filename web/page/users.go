package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/views/users"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// usersView is the page data without the list (enough for one row).
func usersView(c echo.Context) users.Page {
	a := actorOf(c)
	return users.Page{SelfID: a.ID.String(), IsOwner: a.Role == actor.RoleOwner, CSRF: middleware.CSRF(c)}
}

func (h *Handler) usersPage(c echo.Context, f users.CreateForm) (users.Page, error) {
	p := usersView(c)
	list, err := h.Users.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return p, err
	}
	if f.Role == "" {
		f.Role = string(actor.RoleTechnician)
	}
	p.Users, p.Form = list, f
	return p, nil
}

// UsersList lists the organization's staff with the add-staff form.
func (h *Handler) UsersList(c echo.Context) error {
	p, err := h.usersPage(c, users.CreateForm{})
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, users.List(Meta(c, "Staff", "users"), p))
}

// UsersCreate adds a staff member.
func (h *Handler) UsersCreate(c echo.Context) error {
	in := user.Input{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role"), Password: c.FormValue("password")}
	u, err := h.Users.Create(c.Request().Context(), actorOf(c), in)
	if errs, ok := formErrors(c, err); ok {
		p, lerr := h.usersPage(c, users.CreateForm{Email: in.Email, Name: in.Name, Role: in.Role, Errors: errs})
		if lerr != nil {
			return lerr
		}
		return Render(c, http.StatusUnprocessableEntity, users.List(Meta(c, "Staff", "users"), p))
	} else if err != nil {
		return err
	}
	flash(c, "Added "+u.Email+" as "+string(u.Role)+".")
	return seeOther(c, "/users")
}

// UsersSetRole changes a staff member's role.
func (h *Handler) UsersSetRole(c echo.Context) error {
	role := c.FormValue("role")
	return h.usersUpdate(c, user.Change{Role: &role}, "Role updated.")
}

// UsersDisable disables a staff member and ends their sessions.
func (h *Handler) UsersDisable(c echo.Context) error {
	t := true
	return h.usersUpdate(c, user.Change{Disabled: &t}, "Staff member disabled; their sessions have ended.")
}

// UsersEnable re-enables a staff member.
func (h *Handler) UsersEnable(c echo.Context) error {
	f := false
	return h.usersUpdate(c, user.Change{Disabled: &f}, "Staff member enabled.")
}

func (h *Handler) usersUpdate(c echo.Context, ch user.Change, done string) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	u, err := h.Users.Update(c.Request().Context(), actorOf(c), id, ch)
	if errs, ok := formErrors(c, err); ok {
		if middleware.IsHTMX(c) {
			return HTMXAlert(c, firstMessage(errs))
		}
		p, lerr := h.usersPage(c, users.CreateForm{})
		if lerr != nil {
			return lerr
		}
		return Render(c, http.StatusUnprocessableEntity, users.List(Meta(c, "Staff", "users"), p))
	} else if err != nil {
		return err
	}
	if middleware.IsHTMX(c) {
		return Render(c, http.StatusOK, users.Row(usersView(c), u))
	}
	flash(c, done)
	return seeOther(c, "/users")
}
