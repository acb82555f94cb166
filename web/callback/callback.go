// Package callback serves the callbacks GenieACS makes into the service
// (the ext script's identify call). They are authenticated with the shared
// GENIEACS_INTERNAL_KEY only: no session cookie, no API key opens them.
package callback

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/metrics"
	"github.com/fyberpay/cpe/web/httperr"
)

// HeaderKey carries the internal key.
const HeaderKey = "X-FyberPay-Internal-Key"

// Handler serves /internal.
type Handler struct {
	CPE    *cpe.Service
	Logger *slog.Logger
	// Metrics counts identify calls by outcome, with their latency.
	Metrics *metrics.Metrics

	// Identify calls are summarised at INFO at most once a minute (each
	// request's own line is at DEBUG).
	mu      sync.Mutex
	counts  map[string]int
	summary rate.Sometimes
}

// count adds an identify outcome and, at most once a minute, logs the
// counts since the last summary.
func (h *Handler) count(outcome string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = map[string]int{}
		h.summary = rate.Sometimes{Interval: time.Minute}
	}
	h.counts[outcome]++
	h.summary.Do(func() {
		args := []any{"total", 0}
		total := 0
		for _, k := range []string{"pending", "claimed", "assigned", "refused"} {
			total += h.counts[k]
			args = append(args, k, h.counts[k])
		}
		args[1] = total
		h.Logger.Info("identify calls since the last summary", args...)
		clear(h.counts)
	})
}

// RequireKey admits requests carrying the internal key, compared in
// constant time on fixed-length hashes. Refusals are logged at most once
// every 10 s, so a misconfigured GenieACS cannot flood the log.
func RequireKey(key string, logger *slog.Logger, m *metrics.Metrics) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(key))
	logEvery := rate.Sometimes{Interval: 10 * time.Second}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if key == "" {
				return &httperr.Error{Status: http.StatusServiceUnavailable, Code: "not_configured",
					Message: "GENIEACS_INTERNAL_KEY is not configured on this server"}
			}
			got := sha256.Sum256([]byte(c.Request().Header.Get(HeaderKey)))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				if c.Path() == "/internal/cpe/identify" {
					m.Identify("wrong_key", 0)
				}
				logEvery.Do(func() {
					logger.Warn("internal callback refused: wrong or missing internal key (check GENIEACS_INTERNAL_KEY on both sides)",
						"ip", c.RealIP(), "path", c.Request().URL.Path)
				})
				return &httperr.Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "missing or wrong " + HeaderKey}
			}
			return next(c)
		}
	}
}

// Identify is POST /internal/cpe/identify: GenieACS's bootstrap provision
// (through provisions/ext/fyberpay.js) reports a device and gets its
// desired state.
func (h *Handler) Identify(c echo.Context) error {
	start := time.Now()
	var in cpe.IdentifyInput
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return &httperr.Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "body exceeds 16 KiB"}
		case errors.Is(err, io.EOF):
			return httperr.BadRequest("bad_json", "request body is empty")
		}
		return httperr.BadRequest("bad_json", "request body is not valid JSON: "+err.Error())
	}
	ans, err := h.CPE.Identify(c.Request().Context(), in)
	if err != nil {
		h.count("refused")
		h.Metrics.Identify("refused", time.Since(start))
		if he := httperr.From(err); he.Status == http.StatusUnprocessableEntity {
			he.Status = http.StatusBadRequest // the ext script treats any 4xx as "fix the caller"
			return he
		}
		return err
	}
	h.count(ans.Status)
	h.Metrics.Identify(ans.Status, time.Since(start))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, ans)
}
