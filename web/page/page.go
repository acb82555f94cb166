// Package page holds the server-rendered (templ + htmx) page handlers. Each
// handler parses input, calls one service method and renders a full page,
// an htmx fragment or a redirect. Errors go to the central error handler,
// except validation errors, which re-render the form with messages (422).
package page

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/system"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/views/layout"
	"github.com/fyberpay/cpe/views/shared"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// Handler serves the pages.
type Handler struct {
	Users       *user.Service
	APIKeys     *apikey.Service
	Webhooks    *outbox.Endpoints
	Dashboard   *dashboard.Service
	Systems     *system.Service
	Subscribers *subscriber.Service
	Devices     *cpe.Service
	// Actions runs device actions (tasks, diagnostics, bulk).
	Actions *action.Service
	// Sync is the device sync (its page).
	Sync *devsync.Service
	// Faults is the fault board's service.
	Faults *fault.Service
	// Health is the devices' health series (the device page's charts).
	Health *devicehealth.Service
	// Audit reads the audit log.
	Audit *audit.Reader
	// Firmware is the image library.
	Firmware *firmware.Service
	// Provisions are the organization's own provision scripts.
	Provisions *orgprovision.Service
	// SessionMaxAge is the session cookie's lifetime in seconds.
	SessionMaxAge int
	// Orgs are the organization's own settings (time zone).
	Orgs *org.Service
	// GenieACS reports its outages for the banner (nil without GenieACS).
	GenieACS Outager
	// Checks runs the Integration page's checks; KeyProbe is their
	// identify round trip.
	Checks   *integration.Service
	KeyProbe integration.KeyProbe
}

// Render writes a templ component with a status.
// Times show in the signed-in staff member's organization's time zone.
func Render(c echo.Context, status int, t templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	ctx := c.Request().Context()
	if p, ok := middleware.Principal(c); ok && p.OrgTimeZone != "" {
		ctx = shared.WithLocation(ctx, org.Location(p.OrgTimeZone))
	}
	return t.Render(ctx, c.Response())
}

// Meta builds the layout data for the current request, consuming any flash
// messages waiting in the session.
func Meta(c echo.Context, title, active string) layout.Meta {
	m := layout.Meta{Title: title, Active: active, CSRF: middleware.CSRF(c)}
	if p, ok := middleware.Principal(c); ok {
		a, _ := middleware.Actor(c)
		m.Nav = &layout.Nav{Email: p.Email, Name: p.Name, Role: string(p.Role), OrgName: p.OrgName,
			CanStaff: a.Can(actor.PermManageUsers), Operator: a.RequireOperator() == nil}
	}
	m.Outage, _ = c.Get(outageKey).(string)
	if errs, ok := c.Get(formErrorsKey).(form.Errors); ok && len(errs) > 0 {
		m.FormErrors = errs
		if c.Request().Method == http.MethodPost {
			m.URL = refererPath(c)
		}
	}
	if s := middleware.Session(c); s != nil && !s.IsNew {
		if fl := s.Flashes(); len(fl) > 0 {
			if msg, ok := fl[0].(string); ok {
				m.Flash = msg
			}
			_ = s.Save(c.Request(), c.Response())
		}
	}
	return m
}

// flash stores a message shown on the next page.
func flash(c echo.Context, msg string) {
	if s := middleware.Session(c); s != nil && !s.IsNew {
		s.AddFlash(msg)
		_ = s.Save(c.Request(), c.Response())
	}
}

// seeOther redirects after a successful POST (htmx gets HX-Location so it
// navigates rather than swapping the page into a fragment).
func seeOther(c echo.Context, to string) error {
	if middleware.IsHTMX(c) {
		c.Response().Header().Set("HX-Location", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func actorOf(c echo.Context) actor.Actor {
	a, _ := middleware.Actor(c)
	return a
}

// formErrorsKey holds the request's form errors for Meta's summary.
const formErrorsKey = "page.formErrors"

// formErrors splits validation errors (shown in the form) from the rest.
// The errors are kept for the summary at the top of the page Meta builds
// next.
func formErrors(c echo.Context, err error) (form.Errors, bool) {
	var ve validation.Errors
	if errors.As(err, &ve) {
		return kept(c, form.Errors(ve)), true
	}
	return nil, false
}

// kept keeps errs for the page's summary (Meta) and returns them.
func kept(c echo.Context, errs form.Errors) form.Errors {
	c.Set(formErrorsKey, errs)
	return errs
}

// refererPath is the same-site page a form was posted from (its path and
// query), or "" when the Referer is missing or another site's.
func refererPath(c echo.Context) string {
	u, err := url.Parse(c.Request().Referer())
	if err != nil || u.Host != c.Request().Host {
		return ""
	}
	return safePath(u.RequestURI(), "")
}

// HTMXAlert answers an htmx request with an error message shown at the top
// of the page instead of swapping its target. htmx 2 does not swap 4xx
// answers by default, so the status stays 200 with retargeting headers.
func HTMXAlert(c echo.Context, msg string) error {
	c.Response().Header().Set("HX-Retarget", "main")
	c.Response().Header().Set("HX-Reswap", "afterbegin")
	return Render(c, http.StatusOK, layout.Alert(msg))
}

// firstMessage turns form errors into one sentence (the first field in
// alphabetical order, so the message is stable).
func firstMessage(errs form.Errors) string {
	keys := slices.Sorted(maps.Keys(errs))
	if len(keys) == 0 {
		return "invalid input"
	}
	return keys[0] + ": " + errs[keys[0]]
}

// HTMXAlertOrPage shows an error message: as an alert for htmx, as the
// error page otherwise.
func HTMXAlertOrPage(c echo.Context, msg string) error {
	if middleware.IsHTMX(c) {
		return HTMXAlert(c, msg)
	}
	return &httperr.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: msg}
}

func itoa(n int) string { return strconv.Itoa(n) }

// nextHref is the current page with the query's after set to next: the
// link to a listing's following page ("" when there is none).
func nextHref(c echo.Context, next string) string {
	if next == "" {
		return ""
	}
	q := c.Request().URL.Query()
	q.Set("after", next)
	return c.Request().URL.Path + "?" + q.Encode()
}
