package outbox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	secret := []byte("whsec_test")
	ts := time.Unix(1795747565, 0)
	body := []byte(`{"id":"e1"}`)
	sig := Sign(secret, ts, body)
	// Known answer, from: printf '1795747565.{"id":"e1"}' | openssl dgst -sha256 -hmac whsec_test
	require.Equal(t, "v1=50df8311787b866d429480b8ccbe413f5d9dc6b35223f168737d64e410c82267", sig)

	tests := []struct {
		name string
		ts   string
		sig  string
		body string
		now  time.Time
		ok   bool
	}{
		{"Valid", "1795747565", sig, `{"id":"e1"}`, ts.Add(time.Minute), true},
		{"RotationList", "1795747565", "v1=00, " + sig, `{"id":"e1"}`, ts, true},
		{"BodyChanged", "1795747565", sig, `{"id":"e2"}`, ts, false},
		{"TimestampChanged", "1795747566", sig, `{"id":"e1"}`, ts, false},
		{"TooOld", "1795747565", sig, `{"id":"e1"}`, ts.Add(10 * time.Minute), false},
		{"NotANumber", "yesterday", sig, `{"id":"e1"}`, ts, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.ok, Verify(secret, tt.ts, tt.sig, []byte(tt.body), tt.now, 5*time.Minute))
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	require.Equal(t, 30*time.Second, DefaultBackoff(1))
	require.Equal(t, time.Minute, DefaultBackoff(2))
	require.Equal(t, 6*time.Hour, DefaultBackoff(12))
}
