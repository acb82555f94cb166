package middleware_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/middleware"
)

// At INFO the request log keeps what someone should look at: 4xx answers
// (and slow requests); 2xx and 3xx lines are DEBUG, 5xx ERROR.
func TestRequestLogLevels(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	e := echo.New()
	e.Use(middleware.Log(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), nil))
	e.GET("/ok", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/moved", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/ok") })
	e.GET("/bad", func(c echo.Context) error { return echo.NewHTTPError(http.StatusUnprocessableEntity, "no") })
	e.GET("/broken", func(c echo.Context) error { return echo.NewHTTPError(http.StatusInternalServerError, "boom") })
	for _, p := range []string{"/ok", "/moved", "/bad", "/broken"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	logs := buf.String()
	require.NotContains(t, logs, `"path":"/ok"`)
	require.NotContains(t, logs, `"path":"/moved"`)
	require.Contains(t, logs, `"level":"INFO","msg":"request"`)
	require.Contains(t, logs, `"path":"/bad"`)
	require.Contains(t, logs, `"path":"/broken"`)
	require.Equal(t, 2, strings.Count(logs, "\n"))
}
