package outbox

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The delivery log tells tenants what went wrong without our resolver's or
// any internal address.
func TestDescribeErrorHidesInfrastructure(t *testing.T) {
	t.Parallel()

	t.Run("NoSuchHost", func(t *testing.T) {
		t.Parallel()
		err := &url.Error{Op: "Post", URL: "https://hooks.example.net/x", Err: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "hooks.example.net", Server: "127.0.0.53:53", IsNotFound: true}}}
		require.Contains(t, err.Error(), "127.0.0.53", "Go's own text names the resolver")
		require.Equal(t, "DNS lookup of hooks.example.net: no such host", describeError(err))
	})
	t.Run("ConnectionRefused", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		_, err = NewHTTPClient(true).Post("http://"+addr+"/hook", "application/json", nil)
		require.Error(t, err)
		require.Equal(t, "connection refused", describeError(err))
	})
	t.Run("PrivateAddress", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(srv.Close)
		_, err := NewHTTPClient(false).Post(srv.URL, "application/json", nil)
		require.ErrorIs(t, err, ErrPrivateAddress)
		require.Contains(t, err.Error(), "127.0.0.1")
		require.Equal(t, ErrPrivateAddress.Error(), describeError(err), "not which internal address the name resolved to")
	})
	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		t.Cleanup(srv.Close)
		c := NewHTTPClient(true)
		c.Timeout = 100 * time.Millisecond
		_, err := c.Post(srv.URL, "application/json", nil)
		require.Error(t, err)
		require.Equal(t, "timeout: the receiver did not answer in time", describeError(err))
	})
	t.Run("UnknownAuthority", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
		srv.StartTLS()
		t.Cleanup(srv.Close)
		_, err := NewHTTPClient(true).Post(srv.URL, "application/json", nil)
		require.Error(t, err)
		require.Equal(t, "TLS: certificate signed by an unknown authority", describeError(err))
	})
	t.Run("OtherErrorsLoseTheirAddresses", func(t *testing.T) {
		t.Parallel()
		err := &url.Error{Op: "Post", URL: "https://hooks.example.net/x", Err: &net.OpError{Op: "dial", Net: "tcp",
			Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 443}, Err: context.Canceled}}
		got := describeError(err)
		require.NotContains(t, got, "10.1.2.3")
		require.Equal(t, "request failed: dial tcp: context canceled", got)
	})
}

// Log entries written before describeError existed are shown scrubbed.
func TestScrubAddresses(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`Post "https://hooks.example.net/x": dial tcp: lookup hooks.example.net on 127.0.0.53:53: no such host`: `Post "https://hooks.example.net/x": dial tcp: lookup hooks.example.net: no such host`,
		`Post "https://h.example/x": dial tcp: lookup h.example on [fd00::53]:53: server misbehaving`:           `Post "https://h.example/x": dial tcp: lookup h.example: server misbehaving`,
		`Post "https://h.example/x": dial tcp 10.0.0.5:443: connect: connection refused`:                        `Post "https://h.example/x": dial tcp: connect: connection refused`,
		`Post "https://h.example/x": read tcp 10.9.8.7:51234->203.0.113.5:443: read: connection reset by peer`:  `Post "https://h.example/x": read tcp: read: connection reset by peer`,
		`Post "https://h.example/x": dial tcp [2001:db8::1]:443: i/o timeout`:                                   `Post "https://h.example/x": dial tcp: i/o timeout`,
		`webhook target is not a public address (set WEBHOOK_ALLOW_PRIVATE=true to allow): 192.168.1.10`:        `webhook target is not a public address (set WEBHOOK_ALLOW_PRIVATE=true to allow): <address>`,
		`receiver answered 500 Internal Server Error`:                                                           `receiver answered 500 Internal Server Error`,
	} {
		require.Equal(t, want, scrubAddresses(in))
	}
}
