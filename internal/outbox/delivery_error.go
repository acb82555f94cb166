package outbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
)

// describeError is what a tenant's delivery log says about an attempt that
// got no HTTP answer: the useful part (no such host, connection refused,
// timeout, a TLS problem) and never our infrastructure — the resolver's
// address, the addresses a name resolved to, or internal IPs. The full
// error goes to River (the operator's job log) only.
func describeError(err error) string {
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		netErr   net.Error
		opErr    *net.OpError
	)
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return ErrPrivateAddress.Error()
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return "DNS lookup of " + dnsErr.Name + ": no such host"
		case dnsErr.IsTimeout:
			return "DNS lookup of " + dnsErr.Name + ": timeout"
		}
		return "DNS lookup of " + dnsErr.Name + " failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return "timeout: could not connect in time"
		}
		return "timeout: the receiver did not answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the receiver"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &unknown):
		return "TLS: certificate signed by an unknown authority"
	case errors.As(err, &hostname):
		return "TLS: certificate is not valid for the URL's host"
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return "TLS: certificate expired or not yet valid"
		}
		return "TLS: invalid certificate"
	case errors.As(err, &record):
		return "TLS handshake failed: the receiver does not speak TLS on this port"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the receiver closed the connection without answering"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // drop `Post "<url>": `
	}
	msg := scrubAddresses(err.Error())
	if strings.Contains(msg, "tls: ") {
		return "TLS handshake failed: " + msg
	}
	return "request failed: " + msg
}

var (
	// lookupOn is the resolver part of Go's DNS errors: "lookup h on 10.0.0.2:53: ...".
	lookupOn = regexp.MustCompile(`(lookup \S+) on \S+?:\d+:`)
	// ipAddr is an IPv4 or bracketed IPv6 address, with or without a port.
	ipAddr = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9A-Fa-f:.%]+\](?::\d+)?`)
	// connAddrs is the addresses of "dial tcp <a>: " or "read tcp <a>-><b>: ".
	connAddrs = regexp.MustCompile(`\b(dial|read|write) (tcp[46]?|udp[46]?) <address>(?:-><address>)?:`)
)

// scrubAddresses removes the resolver and IP addresses from an error's text.
// Log entries written before describeError existed are shown through it.
func scrubAddresses(s string) string {
	s = lookupOn.ReplaceAllString(s, "$1:")
	s = ipAddr.ReplaceAllString(s, "<address>")
	return connAddrs.ReplaceAllString(s, "$1 $2:")
}
