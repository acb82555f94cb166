package page

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/views/form"
	pview "github.com/fyberpay/cpe/views/provisions"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// errorLine is the line of a script's syntax error (0: none).
func errorLine(script string) int {
	var se *orgprovision.SyntaxError
	if errors.As(orgprovision.Check(script), &se) {
		return se.Line
	}
	return 0
}

func (h *Handler) provisionsPage(c echo.Context, status int, name, script string, errs form.Errors) error {
	a := actorOf(c)
	ps, err := h.Provisions.List(c.Request().Context(), a)
	if err != nil {
		return err
	}
	p := pview.ListPage{Provisions: ps, CanWrite: a.Can(actor.PermManageProvisions), Name: name, Script: script, Errors: errs, CSRF: middleware.CSRF(c)}
	if errs != nil {
		p.ErrorLine = errorLine(script)
	}
	return Render(c, status, pview.List(Meta(c, "Provisions", "provisions"), p))
}

// ProvisionsList is the Provisions page.
func (h *Handler) ProvisionsList(c echo.Context) error {
	return h.provisionsPage(c, http.StatusOK, "", "", nil)
}

// ProvisionCreate saves a new provision.
func (h *Handler) ProvisionCreate(c echo.Context) error {
	name, script := c.FormValue("name"), c.FormValue("script")
	_, err := h.Provisions.Save(c.Request().Context(), actorOf(c), name, script)
	if errs, ok := provisionErrors(c, err); ok {
		return h.provisionsPage(c, http.StatusUnprocessableEntity, name, script, errs)
	} else if err != nil {
		return err
	}
	flash(c, fmt.Sprintf("Saved %s.", name))
	return seeOther(c, "/provisions/"+name)
}

// provisionErrors are the errors the editor shows beside its fields.
func provisionErrors(c echo.Context, err error) (form.Errors, bool) {
	if errs, ok := formErrors(c, err); ok {
		return errs, true
	}
	if errors.Is(err, orgprovision.ErrTooLarge) {
		return kept(c, form.Errors{"script": err.Error()}), true
	}
	return nil, false
}

// provisionPage renders one provision's page; edit adds what the request
// brings (a rejected script, a binding, a diff, a try's result). With
// errs, the page's summary banner says what was refused.
func (h *Handler) provisionPage(c echo.Context, status int, errs form.Errors, edit func(*pview.ShowPage)) error {
	a := actorOf(c)
	p, err := h.Provisions.Get(c.Request().Context(), a, c.Param("name"))
	if err != nil {
		return err
	}
	if errs == nil {
		p.Warnings = h.Provisions.CheckWarnings(c.Request().Context(), a.OrgID, p.Script)
	}
	page := pview.ShowPage{P: p, CanWrite: a.Can(actor.PermManageProvisions), Script: p.Script, Binding: p.Binding, Errors: errs, CSRF: middleware.CSRF(c)}
	if edit != nil {
		edit(&page)
	}
	return Render(c, status, pview.Show(Meta(c, p.Name, "provisions"), page))
}

// ProvisionShow is one provision's editor, binding and versions
// (?diff=N: version N's change against the one before).
func (h *Handler) ProvisionShow(c echo.Context) error {
	if v := c.QueryParam("diff"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return httperr.BadRequest("bad_version", "diff must be a version number")
		}
		return h.provisionDiffPage(c, n)
	}
	return h.provisionPage(c, http.StatusOK, nil, nil)
}

func (h *Handler) provisionDiffPage(c echo.Context, version int) error {
	diff, err := h.Provisions.Diff(c.Request().Context(), actorOf(c), c.Param("name"), version)
	if err != nil {
		return err
	}
	return h.provisionPage(c, http.StatusOK, nil, func(p *pview.ShowPage) { p.DiffVersion, p.Diff = version, diff })
}

// ProvisionSave saves the editor's script as the next version.
func (h *Handler) ProvisionSave(c echo.Context) error {
	name, script := c.Param("name"), c.FormValue("script")
	p, err := h.Provisions.Save(c.Request().Context(), actorOf(c), name, script)
	if errs, ok := provisionErrors(c, err); ok {
		return h.provisionPage(c, http.StatusUnprocessableEntity, errs, func(p *pview.ShowPage) {
			p.Script, p.ErrorLine = script, errorLine(script)
		})
	} else if err != nil {
		return err
	}
	flash(c, fmt.Sprintf("Saved %s as version %d.", name, p.Version))
	return seeOther(c, "/provisions/"+name)
}

// ProvisionBind saves when a provision runs.
func (h *Handler) ProvisionBind(c echo.Context) error {
	form, _ := c.FormParams()
	weight, _ := strconv.Atoi(form.Get("weight"))
	b := orgprovision.Binding{Events: form["events"], Weight: weight, Model: form.Get("model"), Enabled: form.Get("enabled") == "true"}
	_, err := h.Provisions.Bind(c.Request().Context(), actorOf(c), c.Param("name"), b)
	if errs, ok := formErrors(c, err); ok {
		return h.provisionPage(c, http.StatusUnprocessableEntity, errs, func(p *pview.ShowPage) { p.Binding = b })
	} else if err != nil {
		return err
	}
	flash(c, "Saved when it runs.")
	return seeOther(c, "/provisions/"+c.Param("name"))
}

// ProvisionRevert saves an earlier version as the next one.
func (h *Handler) ProvisionRevert(c echo.Context) error {
	v, _ := strconv.Atoi(c.FormValue("version"))
	p, err := h.Provisions.Revert(c.Request().Context(), actorOf(c), c.Param("name"), v)
	if err != nil {
		return err
	}
	flash(c, fmt.Sprintf("Version %d's script is version %d now.", v, p.Version))
	return seeOther(c, "/provisions/"+p.Name)
}

// ProvisionDelete removes a provision.
func (h *Handler) ProvisionDelete(c echo.Context) error {
	name := c.Param("name")
	if err := h.Provisions.Delete(c.Request().Context(), actorOf(c), name); err != nil {
		return err
	}
	flash(c, fmt.Sprintf("Deleted %s.", name))
	return seeOther(c, "/provisions")
}

// ProvisionTry runs the saved script once on the device of the serial.
func (h *Handler) ProvisionTry(c echo.Context) error {
	a, serial := actorOf(c), strings.TrimSpace(c.FormValue("serial"))
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return err
	}
	page, err := h.Devices.List(c.Request().Context(), a, cpe.Filter{Serial: serial, Limit: 10})
	if err != nil {
		return err
	}
	var id uuid.UUID
	for _, d := range page.Items {
		if serial != "" && (strings.EqualFold(d.Serial, serial) || strings.EqualFold(d.ReportedSerial, serial)) {
			id = d.ID
		}
	}
	if id == uuid.Nil {
		return h.provisionTryPage(c, http.StatusUnprocessableEntity, serial, nil, kept(c, form.Errors{"device": "none of your devices has this serial"}))
	}
	res, err := h.Provisions.Try(c.Request().Context(), a, h.Devices, c.Param("name"), id)
	if errs, ok := formErrors(c, err); ok {
		return h.provisionTryPage(c, http.StatusUnprocessableEntity, serial, nil, errs)
	} else if err != nil {
		return err
	}
	return h.provisionTryPage(c, http.StatusOK, serial, &res, nil)
}

func (h *Handler) provisionTryPage(c echo.Context, status int, serial string, res *orgprovision.TryResult, errs form.Errors) error {
	return h.provisionPage(c, status, errs, func(p *pview.ShowPage) { p.TrySerial, p.Try = serial, res })
}
