// Package web is the HTTP edge: the Echo server, every route (router.go),
// middleware, page and API handlers, and the one error handler.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/system"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/views/errorpage"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
	"github.com/fyberpay/cpe/web/page"
)

// Deps is what the server needs.
type Deps struct {
	Config *config.Config
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Audit reads the audit log (pages and API).
	Audit     *audit.Reader
	Users     *user.Service
	APIKeys   *apikey.Service
	Webhooks  *outbox.Endpoints
	Dashboard *dashboard.Service
	CPE       *cpe.Service
	// Actions runs device actions and reports their tasks.
	Actions *action.Service
	// Sync is the device sync (its page and runs).
	Sync   *devsync.Service
	System *system.Service
	// Subscribers manages plans and subscribers.
	Subscribers *subscriber.Service
	// Faults is the fault board and the /cpe/faults API.
	Faults *fault.Service
	// Health is the devices' health series (device page, /cpe/devices/:id/metrics).
	Health *devicehealth.Service
	// Firmware is the image library (Firmware page, /cpe/firmware).
	Firmware *firmware.Service
	// Provisions are the organizations' own scripts (/cpe/provisions).
	Provisions *orgprovision.Service
	// Orgs are each organization's own settings (time zone).
	Orgs *org.Service
	// Integration runs the troubleshooting checks (Integration page,
	// /cpe/integration).
	Integration *integration.Service
	// GenieACS is the NBI client (nil when not configured); /readyz shows
	// its breaker, informational only.
	GenieACS *genieacs.Client
	Sessions *session.Store
	// RiverUI is River's web UI, mounted at /admin/jobs; nil hides it.
	RiverUI http.Handler
	// Metrics records every request and serves /metrics (behind
	// METRICS_TOKEN); nil: neither.
	Metrics *metrics.Metrics
}

// New builds the Echo server with every route.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(d.Config.TrustedProxies)
	e.HTTPErrorHandler = errorHandler(d.Logger)
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.ReadTimeout = 60 * time.Second
	e.Server.WriteTimeout = 60 * time.Second
	e.Server.IdleTimeout = 120 * time.Second

	e.Use(echomw.RequestID())
	e.Use(securityHeaders(d.Config.SecureCookies()))
	e.Use(middleware.Log(d.Logger, d.Metrics))
	e.Use(echomw.Recover())
	// Bodies are small but for firmware images: streamed ones are bounded
	// by the upload itself (FIRMWARE_MAX_BYTES, measured as they pass; the
	// limit here only stops a body far past it), base64 ones here.
	streamed := d.Firmware.MaxBytes + 1<<20
	e.Use(middleware.BodyLimit(12<<20, map[string]int64{
		"POST /cpe/firmware/upload": firmware.Base64Len(d.Firmware.JSONMaxBytes) + 1<<20,
		"POST /cpe/firmware":        streamed,
		"POST /firmware":            streamed,
	}))
	// Sign-in answers a bad e-mail as a wrong one (counted, no 422 that
	// would tell the form's rule apart from an unknown account).
	e.Use(middleware.CleanText(func(c echo.Context) bool {
		return c.Request().Method == http.MethodPost && c.Path() == "/login"
	}))
	routes(e, d)
	return e
}

func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// errorHandler renders every error once: JSON for the API, a page for
// browsers (an htmx request gets an alert fragment). 5xx causes are logged
// by the Log middleware, never shown. A request its client abandoned gets
// no answer at all.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if middleware.ClientGone(c, err) {
			return // the client went away: no answer (the Log middleware logged a 499 at INFO)
		}
		he := httperr.From(err)
		if he.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(he.RetryAfter))
		}
		var werr error
		switch {
		case c.Request().Method == http.MethodHead:
			werr = c.NoContent(he.Status)
		case middleware.IsAPI(c):
			werr = c.JSON(he.Status, map[string]*httperr.Error{"error": he})
		case middleware.IsHTMX(c):
			werr = page.HTMXAlert(c, he.Message)
		default:
			m := page.Meta(c, titleFor(he.Status), "")
			werr = page.Render(c, he.Status, errorpage.Error(m, he.Status, he.Message))
		}
		if werr != nil && !errors.Is(werr, context.Canceled) {
			logger.Error("write error response", "err", werr, "request_id", middleware.RequestID(c))
		}
	}
}

func titleFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusTooManyRequests:
		return "Slow down"
	}
	return http.StatusText(status)
}
