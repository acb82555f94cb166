package middleware

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/web/httperr"
)

// LongUploadDeadline is how long a large route's request may take to
// arrive and be answered (a firmware image relayed from a slow link).
const LongUploadDeadline = 2 * time.Hour

// BodyLimit bounds request bodies to limit bytes (413 past it), except the
// routes in large ("METHOD /route/pattern" → their own limit), whose
// requests also get LongUploadDeadline instead of the server's read and
// write timeouts.
func BodyLimit(limit int64, large map[string]int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil || req.Body == http.NoBody {
				return next(c)
			}
			max := limit
			if l, ok := large[req.Method+" "+c.Path()]; ok {
				max = l
				rc := http.NewResponseController(c.Response())
				deadline := time.Now().Add(LongUploadDeadline)
				_ = rc.SetReadDeadline(deadline) // unsupported (a test recorder): the server's own
				_ = rc.SetWriteDeadline(deadline)
			}
			if req.ContentLength > max {
				return httperr.TooLarge(max)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, max)
			return next(c)
		}
	}
}
