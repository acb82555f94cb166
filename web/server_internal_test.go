package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/web/middleware"
)

// A client that goes away while its request waits on a query is logged at
// INFO as 499, and gets no 500 written.
func TestClientGoneIsNotAServerError(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewDB(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(logger)
	e.Use(middleware.Log(logger, nil))
	started := make(chan struct{})
	e.GET("/slow", func(c echo.Context) error {
		close(started)
		_, err := pool.Exec(c.Request().Context(), `SELECT pg_sleep(30)`)
		return fmt.Errorf("load the page: %w", err)
	})
	e.GET("/broken", func(echo.Context) error { return errors.New("a real fault") })

	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodGet, "/slow", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.ServeHTTP(rec, req)
	}()
	<-started
	cancel() // the client hangs up while the query runs
	<-done
	require.Empty(t, rec.Body.String(), "nothing is written to a client that left")
	require.False(t, rec.Flushed)
	var line map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &line), logs.String())
	require.Equal(t, "INFO", line["level"])
	require.EqualValues(t, 499, line["status"])
	require.Contains(t, line["error"], "context canceled")

	// A fault while the client is still there stays a 500 at ERROR.
	logs.Reset()
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/broken", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.True(t, strings.Contains(logs.String(), `"level":"ERROR"`), logs.String())
	require.Contains(t, logs.String(), `"status":500`)
}
