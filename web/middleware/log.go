package middleware

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/web/httperr"
)

// Log writes one structured line per request, after it is handled, with
// request id, org id and user or key id: at INFO for 4xx answers and
// requests slower than SlowRequest, ERROR for 5xx, DEBUG for the rest (a
// fleet's identify calls and the pages' polling would drown everything
// else). It never logs headers, bodies or query strings (which could carry
// secrets).
func Log(logger *slog.Logger, m *metrics.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			gone := ClientGone(c, err)
			switch {
			case gone:
				status = StatusClientClosedRequest
			case err != nil:
				// The central error handler has not run yet; compute the status it will write.
				status = httperr.From(err).Status
			}
			m.HTTPRequest(c.Path(), c.Request().Method, status, time.Since(start))
			level := slog.LevelDebug
			switch {
			case status >= 500 && !gone:
				level = slog.LevelError
			case status >= 400 || time.Since(start) >= SlowRequest:
				level = slog.LevelInfo
			}
			// The request's context is done when the client went away; the
			// line is still written.
			ctx := context.WithoutCancel(c.Request().Context())
			if !logger.Enabled(ctx, level) {
				return err
			}
			attrs := []slog.Attr{
				slog.String("request_id", RequestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("path", c.Request().URL.Path),
				slog.String("route", c.Path()),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("ip", c.RealIP()),
			}
			if a, ok := Actor(c); ok {
				attrs = append(attrs, slog.String("org_id", a.OrgID.String()))
				switch a.Kind {
				case "user":
					attrs = append(attrs, slog.String("user_id", a.ID.String()))
				case "api_key":
					attrs = append(attrs, slog.String("api_key_id", a.ID.String()))
				}
			}
			switch {
			case gone:
				attrs = append(attrs, slog.String("error", err.Error()))
			case status >= 500:
				if he := httperr.From(err); err != nil && he.Internal != nil {
					attrs = append(attrs, slog.String("error", he.Internal.Error()))
				}
			}
			logger.LogAttrs(ctx, level, "request", attrs...)
			return err
		}
	}
}

// SlowRequest is how long a request takes before its line is logged at
// INFO whatever its answer.
const SlowRequest = time.Second

// StatusClientClosedRequest is logged for requests the client abandoned
// before the answer (nginx's 499); nothing is written to them.
const StatusClientClosedRequest = 499

// ClientGone reports whether a request failed because its client went away:
// its context was cancelled (net/http does so when the connection closes),
// so whatever the handler returned (context.Canceled, or the error a query
// or call gave when its context ended) is the client's leaving, not a fault
// of ours, and nobody is left to read an answer.
func ClientGone(c echo.Context, err error) bool {
	return err != nil && errors.Is(c.Request().Context().Err(), context.Canceled)
}
