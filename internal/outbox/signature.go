package outbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Header names of a webhook request.
const (
	HeaderEventID   = "X-FyberPay-Event-Id"
	HeaderEventType = "X-FyberPay-Event-Type"
	HeaderTimestamp = "X-FyberPay-Timestamp"
	HeaderSignature = "X-FyberPay-Signature"
	HeaderAttempt   = "X-FyberPay-Delivery-Attempt"
)

// Sign returns the signature header value for body sent at ts:
// "v1=" + hex(HMAC-SHA256(secret, "<unix seconds>.<body>")).
func Sign(secret []byte, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received webhook: the signature must match and the
// timestamp be within tolerance of now (replay window). Receivers can copy
// this function; it needs only the standard library.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return false
	}
	want := Sign(secret, ts, body)
	for _, s := range strings.Split(signature, ",") { // several during secret rotation
		if hmac.Equal([]byte(strings.TrimSpace(s)), []byte(want)) {
			return true
		}
	}
	return false
}
