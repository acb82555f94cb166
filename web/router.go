package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/static"
	"github.com/fyberpay/cpe/web/api"
	"github.com/fyberpay/cpe/web/apidoc"
	"github.com/fyberpay/cpe/web/callback"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
	"github.com/fyberpay/cpe/web/page"
)

// routes is every route of the service, in one place.
func routes(e *echo.Echo, d Deps) {
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/readyz", readyz(d))
	if d.Metrics != nil {
		e.GET("/metrics", metricsEndpoint(d.Config.MetricsToken, d.Metrics.Handler()))
	}

	assets := e.Group("/static", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "public, max-age=3600")
			return next(c)
		}
	})
	assets.StaticFS("/", static.FS)

	// JSON API for integrations: API key only, no cookies, no CSRF.
	ah := &api.Handler{Users: d.Users, APIKeys: d.APIKeys, Webhooks: d.Webhooks, Subscribers: d.Subscribers, Devices: d.CPE, Actions: d.Actions, Sync: d.Sync, Faults: d.Faults, Audit: d.Audit, Dashboards: d.Dashboard, Health: d.Health, Firmware: d.Firmware, Provisions: d.Provisions, Orgs: d.Orgs,
		Checks: d.Integration, KeyProbe: callback.Probe(e, d.Config.GenieACSInternalKey)}
	op := &middleware.Operator{Slug: d.Config.OperatorOrg, BySlug: func(ctx context.Context, slug string) (org.Org, error) {
		return org.BySlug(ctx, d.Pool, slug)
	}}
	// The API's description needs no key (before the group: a static
	// route wins over the group's).
	e.GET("/cpe/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, apidoc.JSON())
	})
	cpe := e.Group("/cpe", middleware.APIKey(d.APIKeys, op), noStore)
	cpe.GET("/me", ah.Me)
	cpe.GET("/dashboard", ah.Dashboard)
	cpe.GET("/users", ah.UsersList)
	cpe.POST("/users", ah.UsersCreate)
	cpe.GET("/users/:id", ah.UsersGet)
	cpe.PATCH("/users/:id", ah.UsersUpdate)
	cpe.GET("/api-keys", ah.APIKeysList)
	cpe.POST("/api-keys", ah.APIKeysCreate)
	cpe.GET("/api-keys/:id", ah.APIKeysGet)
	cpe.POST("/api-keys/:id/revoke", ah.APIKeysRevoke)
	cpe.DELETE("/api-keys/:id", ah.APIKeysRevoke)
	cpe.GET("/audit", ah.AuditList)
	cpe.GET("/audit/:id", ah.AuditGet)
	cpe.GET("/webhooks", ah.WebhooksList)
	cpe.GET("/organization", ah.OrganizationGet)
	cpe.PUT("/organization", ah.OrganizationPut)
	cpe.POST("/webhooks", ah.WebhooksCreate)
	cpe.GET("/webhooks/:id", ah.WebhooksGet)
	cpe.PUT("/webhooks/:id", ah.WebhooksUpdate)
	cpe.DELETE("/webhooks/:id", ah.WebhooksDelete)
	cpe.POST("/webhooks/:id/test", ah.WebhooksTest)
	cpe.POST("/webhooks/:id/rotate-secret", ah.WebhooksRotate)
	cpe.GET("/webhooks/:id/deliveries", ah.WebhooksDeliveries)
	cpe.GET("/devices", ah.DevicesList)
	cpe.GET("/models", ah.ModelsList)
	cpe.GET("/optical", ah.OpticalList)
	cpe.GET("/optical/ports", ah.OpticalPorts)
	cpe.GET("/devices.csv", ah.DevicesExport)
	cpe.POST("/devices", ah.DevicesCreate)
	cpe.POST("/devices/import", ah.DevicesImport)
	cpe.GET("/devices/:id", ah.DevicesGet)
	cpe.POST("/devices/:id/assign-subscriber", ah.DevicesAssign)
	cpe.GET("/identity-conflicts", ah.IdentityConflictsList)
	cpe.POST("/devices/:id/identity-conflicts/:cid/accept", ah.DevicesIdentityAccept)
	cpe.POST("/devices/:id/identity-conflicts/:cid/reject", ah.DevicesIdentityReject)
	cpe.POST("/devices/:id/unassign", ah.DevicesUnassign)
	cpe.PUT("/devices/:id/pon-port", ah.DevicesPONPort)
	cpe.POST("/devices/:id/push", ah.DevicesPush)
	cpe.POST("/devices/bulk", ah.DevicesBulk)
	cpe.POST("/devices/:id/wifi", ah.DevicesWiFi)
	cpe.POST("/devices/:id/parameters", ah.DevicesParameters)
	cpe.POST("/devices/:id/reboot", ah.DevicesReboot)
	cpe.POST("/devices/:id/wake", ah.DevicesWake)
	cpe.POST("/devices/:id/factory-reset", ah.DevicesFactoryReset)
	cpe.POST("/devices/:id/refresh", ah.DevicesRefresh)
	cpe.POST("/devices/:id/speed-test", ah.DevicesSpeedTest)
	cpe.POST("/devices/:id/upload-test", ah.DevicesUploadTest)
	cpe.POST("/devices/:id/ping", ah.DevicesPing)
	cpe.POST("/devices/:id/traceroute", ah.DevicesTraceroute)
	cpe.POST("/devices/:id/wifi-scan", ah.DevicesWiFiScan)
	cpe.POST("/devices/:id/wifi-channel", ah.DevicesWiFiChannel)
	cpe.GET("/devices/:id/diagnostics", ah.DevicesDiagnostics)
	cpe.GET("/devices/:id/line", ah.DevicesLine)
	cpe.GET("/devices/:id/parameters", ah.DevicesParameterTree)
	cpe.POST("/devices/:id/objects", ah.DevicesObjects)
	cpe.GET("/devices/:id/hosts", ah.DevicesHosts)
	cpe.POST("/devices/:id/hosts/refresh", ah.DevicesHostsRefresh)
	cpe.GET("/devices/:id/metrics", ah.DevicesMetrics)
	cpe.GET("/tasks", ah.TasksList)
	cpe.GET("/tasks/:id", ah.TasksGet)
	cpe.POST("/tasks/:id/retry", ah.TasksRetry)
	cpe.POST("/tasks/:id/cancel", ah.TasksCancel)
	cpe.GET("/bulk/:id", ah.BulkGet)
	cpe.GET("/imports/:id", ah.ImportsGet)
	cpe.POST("/imports/:id/commit", ah.ImportsCommit)
	cpe.GET("/pending", ah.PendingList)
	cpe.POST("/pending/:id/claim", ah.PendingClaim)
	cpe.GET("/plans", ah.PlansList)
	cpe.POST("/plans", ah.PlansCreate)
	cpe.GET("/plans/:id", ah.PlansGet)
	cpe.PUT("/plans/:id", ah.PlansUpdate)
	cpe.GET("/subscribers", ah.SubscribersList)
	cpe.POST("/subscribers", ah.SubscribersCreate)
	cpe.GET("/subscribers/:id", ah.SubscribersGet)
	cpe.PUT("/subscribers/:id", ah.SubscribersUpdate)
	cpe.POST("/subscribers/:id/suspend", ah.SubscribersSuspend)
	cpe.POST("/subscribers/:id/activate", ah.SubscribersActivate)
	cpe.GET("/faults", ah.FaultsList)
	cpe.GET("/faults/:id", ah.FaultsGet)
	cpe.POST("/faults/:id/clear", ah.FaultsClear)
	cpe.GET("/sync/runs", ah.SyncRuns)
	cpe.GET("/firmware", ah.FirmwareList)
	cpe.POST("/firmware", ah.FirmwareUpload)
	cpe.POST("/firmware/upload", ah.FirmwareUploadJSON)
	cpe.POST("/firmware/deploy", ah.FirmwareDeploy)
	cpe.GET("/firmware/deployments", ah.FirmwareDeployments)
	cpe.GET("/firmware/deployments/:id", ah.FirmwareDeployment)
	cpe.POST("/firmware/deployments/:id/pause", ah.FirmwareDeploymentPause)
	cpe.POST("/firmware/deployments/:id/resume", ah.FirmwareDeploymentResume)
	cpe.POST("/firmware/deployments/:id/cancel", ah.FirmwareDeploymentCancel)
	cpe.GET("/firmware/:id", ah.FirmwareGet)
	cpe.GET("/integration", ah.Integration)
	cpe.GET("/integration/device", ah.IntegrationDevice)
	cpe.GET("/provisions", ah.ProvisionsList)
	cpe.GET("/provisions/:name", ah.ProvisionsGet)
	cpe.PUT("/provisions/:name", ah.ProvisionsPut)
	cpe.DELETE("/provisions/:name", ah.ProvisionsDelete)
	cpe.POST("/provisions/:name/revert", ah.ProvisionsRevert)
	cpe.PUT("/provisions/:name/binding", ah.ProvisionsBind)
	cpe.POST("/provisions/:name/try", ah.ProvisionsTry)
	cpe.DELETE("/firmware/:id", ah.FirmwareDelete)
	cpe.Any("/*", func(echo.Context) error { return httperr.NotFound() })

	// GenieACS callbacks: the internal key only.
	ih := &callback.Handler{CPE: d.CPE, Logger: d.Logger, Metrics: d.Metrics}
	internal := e.Group("/internal", callback.RequireKey(d.Config.GenieACSInternalKey, d.Logger, d.Metrics, d.CPE), noStore)
	internal.POST("/cpe/identify", ih.Identify)
	internal.Any("/*", func(echo.Context) error { return httperr.NotFound() })

	// Browser pages: session cookie, CSRF on every state-changing request.
	pages := e.Group("",
		middleware.Sessions(d.Sessions, d.Users, op),
		middleware.CheckCSRF(d.Sessions, middleware.CSRFOptions{Streamed: map[string]bool{"POST /firmware": true}}),
	)
	ph := &page.Handler{Users: d.Users, APIKeys: d.APIKeys, Webhooks: d.Webhooks, Dashboard: d.Dashboard, Systems: d.System,
		Subscribers: d.Subscribers, Devices: d.CPE, Actions: d.Actions, Sync: d.Sync, Faults: d.Faults, Audit: d.Audit, Health: d.Health, Firmware: d.Firmware, Provisions: d.Provisions, Orgs: d.Orgs,
		Checks: d.Integration, KeyProbe: ah.KeyProbe,
		SessionMaxAge: int(d.Config.SessionTTL.Seconds())}
	if d.GenieACS != nil {
		ph.GenieACS = d.GenieACS
	}
	pages.GET("/login", ph.LoginForm)
	pages.POST("/login", ph.Login)
	pages.POST("/logout", ph.Logout)

	staff := pages.Group("", middleware.RequireUser, ph.OutageNotice)
	staff.GET("/", ph.Home)
	staff.GET("/status/genieacs", ph.OutageStatus)
	staff.GET("/users", ph.UsersList)
	staff.POST("/users", ph.UsersCreate)
	staff.POST("/users/:id/role", ph.UsersSetRole)
	staff.POST("/users/:id/disable", ph.UsersDisable)
	staff.POST("/users/:id/enable", ph.UsersEnable)
	staff.GET("/profile", ph.Profile)
	staff.POST("/profile/password", ph.ProfilePassword)
	staff.GET("/api-docs", ph.APIDocs)
	staff.GET("/api-keys", ph.APIKeysList)
	staff.POST("/api-keys", ph.APIKeysCreate)
	staff.POST("/api-keys/:id/revoke", ph.APIKeysRevoke)
	staff.GET("/audit", ph.AuditList)
	staff.GET("/settings/organization", ph.Organization)
	staff.POST("/settings/organization", ph.OrganizationSave)
	staff.POST("/settings/organization/optical", ph.OrganizationOptical)
	staff.GET("/settings/webhooks", ph.WebhooksList)
	staff.POST("/settings/webhooks", ph.WebhooksCreate)
	staff.GET("/settings/webhooks/:id", ph.WebhookShow)
	staff.POST("/settings/webhooks/:id", ph.WebhookUpdate)
	staff.GET("/settings/webhooks/:id/log", ph.WebhookLog)
	staff.POST("/settings/webhooks/:id/test", ph.WebhookTest)
	staff.POST("/settings/webhooks/:id/rotate", ph.WebhookRotate)
	staff.POST("/settings/webhooks/:id/delete", ph.WebhookDelete)
	staff.GET("/devices", ph.DevicesList)
	staff.GET("/models", ph.ModelsList)
	staff.GET("/devices/export.csv", ph.DevicesExport)
	staff.GET("/devices/new", ph.DeviceNewForm)
	staff.POST("/devices", ph.DeviceCreate)
	staff.GET("/devices/import", ph.DeviceImportForm)
	staff.POST("/devices/import", ph.DeviceImportPreview)
	staff.POST("/devices/import/:id/commit", ph.DeviceImportCommit)
	staff.GET("/devices/:id", ph.DeviceShow)
	staff.GET("/devices/:id/push", ph.DevicePush)
	staff.POST("/devices/:id/push", ph.DevicePushRetry)
	staff.POST("/devices/:id/assign", ph.DeviceAssign)
	staff.POST("/devices/:id/identity-conflicts/:cid/accept", ph.DeviceIdentityAccept)
	staff.POST("/devices/:id/identity-conflicts/:cid/reject", ph.DeviceIdentityReject)
	staff.POST("/devices/:id/unassign", ph.DeviceUnassign)
	staff.POST("/devices/:id/pon-port", ph.DevicePONPort)
	staff.POST("/devices/bulk", ph.DevicesBulk)
	staff.GET("/devices/:id/tasks", ph.DeviceTasks)
	staff.GET("/devices/:id/diagnostics", ph.DeviceDiagnostics)
	staff.GET("/devices/:id/line", ph.DeviceLine)
	staff.GET("/devices/:id/tree", ph.DeviceTree)
	staff.POST("/devices/:id/tree/refresh", ph.DeviceTreeRefresh)
	staff.POST("/devices/:id/tree/set", ph.DeviceTreeSet)
	staff.POST("/devices/:id/tree/add", ph.DeviceTreeAdd)
	staff.POST("/devices/:id/tree/delete", ph.DeviceTreeDelete)
	staff.GET("/devices/:id/hosts", ph.DeviceHosts)
	staff.POST("/devices/:id/hosts/refresh", ph.DeviceHostsRefresh)
	staff.GET("/devices/:id/health", ph.DeviceHealth) // the health panel, a fragment htmx loads
	staff.POST("/devices/:id/wifi", ph.DeviceWiFi)
	staff.POST("/devices/:id/parameters", ph.DeviceParameters)
	staff.POST("/devices/:id/reboot", ph.DeviceReboot)
	staff.POST("/devices/:id/refresh", ph.DeviceRefresh)
	staff.POST("/devices/:id/factory-reset", ph.DeviceFactoryReset)
	staff.POST("/devices/:id/ping", ph.DevicePing)
	staff.POST("/devices/:id/traceroute", ph.DeviceTraceroute)
	staff.POST("/devices/:id/wifi-scan", ph.DeviceWiFiScan)
	staff.POST("/devices/:id/wifi-channel", ph.DeviceWiFiChannel)
	staff.POST("/devices/:id/speed-test", ph.DeviceSpeedTest)
	staff.POST("/devices/:id/upload-test", ph.DeviceUploadTest)
	staff.GET("/tasks", ph.TasksList)
	staff.POST("/tasks/:id/retry", ph.TaskRetry)
	staff.POST("/tasks/:id/cancel", ph.TaskCancel)
	staff.GET("/bulk/:id", ph.BulkShow)
	staff.GET("/bulk/:id/progress", ph.BulkProgress)
	staff.GET("/pending", ph.PendingList)
	staff.POST("/pending/:id/claim", ph.PendingClaim)
	staff.GET("/subscribers", ph.SubscribersList)
	staff.GET("/subscribers/suggest", ph.SubscribersSuggest)
	staff.GET("/subscribers/new", ph.SubscribersNew)
	staff.POST("/subscribers", ph.SubscribersCreate)
	staff.GET("/subscribers/:id", ph.SubscriberShow)
	staff.POST("/subscribers/:id", ph.SubscriberUpdate)
	staff.POST("/subscribers/:id/suspend", ph.SubscriberSuspend)
	staff.POST("/subscribers/:id/activate", ph.SubscriberActivate)
	staff.GET("/plans", ph.PlansList)
	staff.POST("/plans", ph.PlansCreate)
	staff.GET("/plans/:id", ph.PlanShow)
	staff.POST("/plans/:id", ph.PlanUpdate)
	staff.GET("/faults", ph.FaultsList)
	staff.POST("/faults/:id/clear", ph.FaultClear)
	staff.GET("/firmware", ph.FirmwareList)
	staff.POST("/firmware", ph.FirmwareUpload)
	staff.POST("/firmware/:id/delete", ph.FirmwareDelete)
	staff.GET("/firmware/deploy", ph.FirmwareDeployForm)
	staff.POST("/firmware/deploy", ph.FirmwareDeploy)
	staff.GET("/firmware/deployments", ph.FirmwareDeployments)
	staff.GET("/firmware/deployments/:id", ph.FirmwareDeploymentShow)
	staff.GET("/firmware/deployments/:id/progress", ph.FirmwareDeploymentProgress)
	staff.POST("/firmware/deployments/:id/pause", ph.FirmwareDeploymentAction("pause"))
	staff.POST("/firmware/deployments/:id/resume", ph.FirmwareDeploymentAction("resume"))
	staff.POST("/firmware/deployments/:id/cancel", ph.FirmwareDeploymentAction("cancel"))
	staff.GET("/provisions", ph.ProvisionsList)
	staff.POST("/provisions", ph.ProvisionCreate)
	staff.GET("/provisions/:name", ph.ProvisionShow)
	staff.POST("/provisions/:name", ph.ProvisionSave)
	staff.POST("/provisions/:name/binding", ph.ProvisionBind)
	staff.POST("/provisions/:name/revert", ph.ProvisionRevert)
	staff.POST("/provisions/:name/delete", ph.ProvisionDelete)
	staff.POST("/provisions/:name/try", ph.ProvisionTry)
	staff.GET("/admin/sync", ph.SyncShow) // owners and admins; the service checks
	staff.POST("/admin/sync", ph.SyncRequest)
	staff.GET("/admin/system", ph.SystemShow)
	staff.GET("/admin/integration", ph.IntegrationShow)
	staff.GET("/devices/:id/checklist", ph.DeviceChecklist)
	staff.POST("/devices/:id/wake", ph.DeviceWake)
	staff.POST("/admin/system/bootstrap", ph.SystemBootstrap)

	// River's UI: owners and admins of the operator organization only (it
	// shows and acts on every organization's jobs). It is a single-page app
	// with its own assets and inline styles, so it gets a CSP that only
	// forbids framing, plugins and foreign form targets.
	if d.RiverUI != nil {
		jobs := e.Group("/admin/jobs",
			func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					c.Response().Header().Set(echo.HeaderContentSecurityPolicy, riverUICSP)
					return next(c)
				}
			},
			middleware.Sessions(d.Sessions, d.Users, op), middleware.CheckCSRF(d.Sessions, middleware.CSRFOptions{SameOriginFetch: true}),
			middleware.RequireUser, middleware.RequireOperator)
		jobs.Any("", echo.WrapHandler(d.RiverUI))
		jobs.Any("/*", echo.WrapHandler(d.RiverUI))
	}
}

// pageCSP is the policy of every response but River's UI: our pages load
// only their own scripts and styles, and nothing may frame any of them.
const pageCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"

// riverUICSP is River's UI policy (its own scripts and inline styles).
const riverUICSP = "frame-ancestors 'none'; object-src 'none'; form-action 'self'; base-uri 'self'"

// securityHeaders sets the security headers on every response before any
// handler runs, so pages, the API, static files, River's UI, errors and
// 404s all carry them (routes may narrow the CSP further or relax it).
func securityHeaders(secure bool) echo.MiddlewareFunc {
	return echomw.SecureWithConfig(echomw.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		HSTSMaxAge:            hstsAge(secure),
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: pageCSP,
	})
}

func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

func hstsAge(secure bool) int {
	if secure {
		return 31536000
	}
	return 0
}

// readyz reports whether the database answers. The GenieACS breaker is
// shown for information and never fails readiness: a replica that cannot
// reach GenieACS still serves everything else.
func readyz(d Deps) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		out := map[string]string{"status": "ok", "database": "ok", "genieacs": "not configured"}
		if d.GenieACS != nil {
			out["genieacs"] = "breaker " + d.GenieACS.BreakerState()
		}
		if err := d.Pool.Ping(ctx); err != nil {
			out["status"], out["database"] = "unavailable", "unreachable"
			return c.JSON(http.StatusServiceUnavailable, out)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// metricsEndpoint serves the Prometheus registry to a scraper sending
// token as its bearer token (compared in constant time); without a
// configured token nobody gets it here (METRICS_ADDR serves it apart).
func metricsEndpoint(token string, h http.Handler) echo.HandlerFunc {
	want := sha256.Sum256([]byte("Bearer " + token))
	return func(c echo.Context) error {
		got := sha256.Sum256([]byte(c.Request().Header.Get(echo.HeaderAuthorization)))
		if token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			msg := "send METRICS_TOKEN as a bearer token"
			if token == "" {
				msg = "METRICS_TOKEN is not set on this server: /metrics is closed here (or use METRICS_ADDR)"
			}
			return &httperr.Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
