// Package callback serves the callbacks GenieACS makes into the service
// (the ext script's identify call). They are authenticated with the shared
// GENIEACS_INTERNAL_KEY only: no session cookie, no API key opens them.
package callback

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/integration"
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
// every 10 s, so a misconfigured GenieACS cannot flood the log; identify's
// are tallied (cpe.OutcomeWrongKey) for the Integration page.
func RequireKey(key string, logger *slog.Logger, m *metrics.Metrics, devices *cpe.Service) echo.MiddlewareFunc {
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
					m.Identify(cpe.OutcomeWrongKey, 0)
					devices.NoteIdentifyCall(c.Request().Context(), cpe.OutcomeWrongKey, c.RealIP())
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
		h.count(cpe.OutcomeRefused)
		h.Metrics.Identify(cpe.OutcomeRefused, time.Since(start))
		h.CPE.NoteIdentifyCall(c.Request().Context(), cpe.OutcomeRefused, c.RealIP())
		if he := httperr.From(err); he.Status == http.StatusUnprocessableEntity {
			he.Status = http.StatusBadRequest // the ext script treats any 4xx as "fix the caller"
			return he
		}
		return err
	}
	if ans.Status != cpe.StatusKeyCheck { // the Integration page's own call is no device's
		h.count(ans.Status)
		h.Metrics.Identify(ans.Status, time.Since(start))
		h.CPE.NoteIdentifyCall(c.Request().Context(), ans.Status, c.RealIP())
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, ans)
}

// Probe is the Integration page's key round trip: it calls identify
// through h (the application's router, every middleware included) as the
// ext script does (its headers, its body) with FyberPay's internal key and
// the marker serial cpe.KeyCheckSerial, which identify answers without
// storing anything.
func Probe(h http.Handler, key string) integration.KeyProbe {
	body, _ := json.Marshal(cpe.IdentifyInput{Serial: cpe.KeyCheckSerial, OUI: "000000", ProductClass: "KeyCheck",
		Manufacturer: "FyberPay", DeviceID: "000000-KeyCheck-" + cpe.KeyCheckSerial, Root: cpe.RootTR181})
	return func(ctx context.Context) (int, string) {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/internal/cpe/identify", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderKey, key)
		req.RemoteAddr = "127.0.0.1:0"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			var ans cpe.IdentifyAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || ans.Status != cpe.StatusKeyCheck {
				return http.StatusBadGateway, "identify answered, but not as to the marker serial"
			}
			return http.StatusOK, ""
		}
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &e) == nil && e.Error.Message != "" {
			return rec.Code, e.Error.Message
		}
		return rec.Code, http.StatusText(rec.Code)
	}
}
