// Package config reads the process configuration from environment variables
// once, at start-up. A missing or malformed value is reported with the name of
// the variable, so a misconfigured deployment stops with one clear line.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of a fyberpay process.
type Config struct {
	DatabaseURL string
	HTTPAddr    string
	// PublicURL is the externally visible base URL; an https scheme turns on
	// Secure cookies.
	PublicURL *url.URL
	// SessionKeys sign session cookies; the first signs, all verify (rotation).
	SessionKeys [][]byte
	// EncryptionKeys encrypt secrets at rest; the first encrypts, all decrypt.
	EncryptionKeys []Key
	SessionTTL     time.Duration

	GenieACSNBIURL *url.URL // nil: skip all GenieACS work
	GenieACSFSURL  *url.URL
	// GenieACSFSPublicURL is the file server as CPEs reach it
	// (GENIEACS_FS_PUBLIC_URL; default GenieACSFSURL): the speed test's
	// default download is fetched by the device, not by us.
	GenieACSFSPublicURL *url.URL
	GenieACSInternalKey string
	// MetricsToken opens /metrics on HTTP_ADDR to a scraper sending it as
	// a bearer token (METRICS_TOKEN, at least 24 characters); unset, that
	// /metrics answers 401. MetricsAddr serves /metrics, without a token,
	// on a separate listener (METRICS_ADDR, e.g. a private interface).
	MetricsToken, MetricsAddr string
	// TaskFollowInterval is how often an unfinished device task is checked
	// in GenieACS (TASK_FOLLOW_INTERVAL, default 15s).
	TaskFollowInterval time.Duration
	// OfflineAfter: a device whose last inform is older is offline
	// (OFFLINE_AFTER, default 10m); StaleAfter: offline that long is stale
	// (STALE_AFTER, default 1h).
	OfflineAfter, StaleAfter time.Duration
	// OperatorOrg is the slug of the organization that runs the
	// installation (OPERATOR_ORG): its owners and admins alone see the
	// views spanning every organization (device sync, system, jobs).
	// Empty: nobody does (the operator uses the CLI).
	OperatorOrg string
	// FaultPollInterval is how often GenieACS faults are polled
	// (FAULT_POLL_INTERVAL, default 1m).
	FaultPollInterval time.Duration
	// SyncInterval is the period of the incremental device sync pass
	// (SYNC_INTERVAL, default 1m; shorter than OFFLINE_AFTER, which it
	// feeds); SyncFullInterval the full pass's (SYNC_FULL_INTERVAL,
	// default 1h).
	SyncInterval, SyncFullInterval time.Duration
	// GenieACSProbeInterval is how often the web server checks that
	// GenieACS answers, for the outage banner (GENIEACS_PROBE_INTERVAL,
	// default 10s).
	GenieACSProbeInterval time.Duration
	// MetricsRetention is how long device health samples are kept
	// (METRICS_RETENTION, default 720h).
	MetricsRetention time.Duration
	// ShutdownTimeout bounds a graceful stop (SHUTDOWN_TIMEOUT, default
	// 30s): in-flight requests finish and running jobs end within it; jobs
	// still running then are cancelled and retried later.
	ShutdownTimeout time.Duration
	// BulkRate is how many devices a bulk action sends per second toward
	// GenieACS (BULK_RATE, default 20).
	BulkRate float64
	// GenieACSWorkers is how many jobs talk to GenieACS's NBI at once
	// (GENIEACS_WORKERS, default 4): device tasks, their follow-ups,
	// pushes, bulk actions.
	GenieACSWorkers int
	// FirmwareMaxBytes bounds an image streamed as multipart/form-data
	// (FIRMWARE_MAX_BYTES, default 512 MiB); FirmwareJSONMaxBytes one sent
	// in base64 in JSON, decoded (FIRMWARE_JSON_MAX_BYTES, default 64 MiB).
	FirmwareMaxBytes, FirmwareJSONMaxBytes int64
	// FirmwareFollowInterval is how often a firmware deployment reads its
	// devices back and sends the next downloads (FIRMWARE_FOLLOW_INTERVAL,
	// default 10s).
	FirmwareFollowInterval time.Duration

	LogLevel string
	// TrustedProxies lists the networks whose X-Forwarded-For is believed
	// when deciding a client's IP (login throttling, audit rows).
	TrustedProxies []*net.IPNet
	// WebhookAllowPrivate lets webhook endpoints resolve to loopback or
	// private addresses. Off in production: it would let an admin make this
	// server call internal services such as the GenieACS NBI.
	WebhookAllowPrivate bool
	// PasswordHashMemoryKiB is argon2id's memory cost for new hashes.
	PasswordHashMemoryKiB uint32
}

// Key is one named encryption key.
type Key struct {
	ID    string
	Bytes []byte
}

// Error names the variable that is wrong.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// Lookup reads one environment variable; os.LookupEnv in production.
type Lookup func(string) (string, bool)

// Load reads and validates the configuration. Needs says which groups are
// required: the CLI's admin commands need only the database.
func Load(env Lookup, needs Needs) (*Config, error) {
	r := reader(func(k string) string {
		v, _ := env(k)
		return strings.TrimSpace(v)
	})
	c := &Config{}
	if err := c.loadBase(r); err != nil || !needs.Server {
		return nilIfErr(c, err)
	}
	for _, group := range []func(reader) error{c.loadHTTP, c.loadGenieACS, c.loadFleet, c.loadWebhooks, c.loadFirmware} {
		if err := group(r); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func nilIfErr(c *Config, err error) (*Config, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// reader reads one trimmed environment variable ("" when unset).
type reader func(string) string

// duration reads a duration variable within [lo, hi] (lo 0: no minimum);
// unset is def. msg is the reason given when it is out of range.
func (r reader) duration(name string, def, lo, hi time.Duration, msg string) (time.Duration, error) {
	v := r(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return 0, &Error{name, msg}
	}
	return d, nil
}

// loadBase: what every command needs (database, log level, hashing cost).
func (c *Config) loadBase(r reader) error {
	c.DatabaseURL, c.HTTPAddr, c.LogLevel = r("DATABASE_URL"), r("HTTP_ADDR"), strings.ToLower(r("LOG_LEVEL"))
	if c.DatabaseURL == "" {
		return &Error{"DATABASE_URL", "is required (e.g. postgres://postgres@127.0.0.1:5432/fyberpay?sslmode=disable)"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return &Error{"DATABASE_URL", "must be a postgres:// URL"}
	}
	switch c.LogLevel {
	case "", "info", "debug", "warn", "error":
	default:
		return &Error{"LOG_LEVEL", "must be one of debug, info, warn, error"}
	}
	c.PasswordHashMemoryKiB = 64 * 1024
	if v := r("PASSWORD_HASH_MEMORY_KIB"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < 1024 {
			return &Error{"PASSWORD_HASH_MEMORY_KIB", "must be an integer ≥ 1024"}
		}
		c.PasswordHashMemoryKiB = uint32(n)
	}
	return nil
}

// loadHTTP: the listener, public URL, session and encryption keys, the
// session lifetime and the proxies whose X-Forwarded-For is believed.
func (c *Config) loadHTTP(r reader) error {
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return &Error{"HTTP_ADDR", "must be host:port, e.g. 127.0.0.1:8080"}
	}
	pub := r("PUBLIC_URL")
	if pub == "" {
		pub = "http://" + c.HTTPAddr
	}
	u, err := url.Parse(pub)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{"PUBLIC_URL", "must be an absolute http(s) URL, e.g. https://cpe.example.net"}
	}
	c.PublicURL = u
	if c.SessionKeys, err = parseSessionKeys(r("SESSION_KEYS")); err != nil {
		return &Error{"SESSION_KEYS", err.Error()}
	}
	if c.EncryptionKeys, err = ParseEncryptionKeys(r("ENCRYPTION_KEY")); err != nil {
		return &Error{"ENCRYPTION_KEY", err.Error()}
	}
	if c.SessionTTL, err = r.duration("SESSION_TTL", 12*time.Hour, time.Minute, 30*24*time.Hour,
		"must be a duration between 1m and 720h, e.g. 12h"); err != nil {
		return err
	}
	if v := r("TRUSTED_PROXIES"); v != "" {
		for _, s := range strings.Split(v, ",") {
			_, n, err := net.ParseCIDR(strings.TrimSpace(s))
			if err != nil {
				return &Error{"TRUSTED_PROXIES", fmt.Sprintf("has %q, which is not a CIDR such as 10.0.0.0/8", s)}
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
	}
	return nil
}

// loadGenieACS: the NBI and file server, the key its ext script presents,
// and how often unfinished tasks are followed.
func (c *Config) loadGenieACS(r reader) error {
	var err error
	if v := r("GENIEACS_NBI_URL"); v != "" {
		if c.GenieACSNBIURL, err = parseHTTPURL(v); err != nil {
			return &Error{"GENIEACS_NBI_URL", err.Error()}
		}
		if r("GENIEACS_FS_URL") == "" {
			return &Error{"GENIEACS_FS_URL", "is required when GENIEACS_NBI_URL is set"}
		}
		if r("GENIEACS_INTERNAL_KEY") == "" {
			return &Error{"GENIEACS_INTERNAL_KEY", "is required when GENIEACS_NBI_URL is set (at least 24 characters, e.g. openssl rand -hex 24)"}
		}
	}
	if v := r("GENIEACS_FS_URL"); v != "" {
		if c.GenieACSFSURL, err = parseHTTPURL(v); err != nil {
			return &Error{"GENIEACS_FS_URL", err.Error()}
		}
	}
	c.GenieACSFSPublicURL = c.GenieACSFSURL
	if v := r("GENIEACS_FS_PUBLIC_URL"); v != "" {
		if c.GenieACSFSPublicURL, err = parseHTTPURL(v); err != nil {
			return &Error{"GENIEACS_FS_PUBLIC_URL", err.Error()}
		}
	}
	if v := r("GENIEACS_INTERNAL_KEY"); v != "" {
		if len(v) < 24 {
			return &Error{"GENIEACS_INTERNAL_KEY", "must be at least 24 characters (e.g. openssl rand -hex 24)"}
		}
		c.GenieACSInternalKey = v
	}
	if v := r("METRICS_TOKEN"); v != "" {
		if len(v) < 24 {
			return &Error{"METRICS_TOKEN", "must be at least 24 characters (e.g. openssl rand -hex 24)"}
		}
		c.MetricsToken = v
	}
	if v := r("METRICS_ADDR"); v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return &Error{"METRICS_ADDR", "must be host:port, e.g. 10.0.0.5:9090"}
		}
		c.MetricsAddr = v
	}
	c.TaskFollowInterval, err = r.duration("TASK_FOLLOW_INTERVAL", 15*time.Second, 100*time.Millisecond, 10*time.Minute,
		"must be a duration between 100ms and 10m, e.g. 15s")
	return err
}

// loadFleet: the operator organization and how the fleet is judged and
// kept (online/stale thresholds, fault poll, full sync, health retention,
// bulk rate).
func (c *Config) loadFleet(r reader) error {
	if v := r("OPERATOR_ORG"); v != "" {
		if !operatorSlugRE.MatchString(v) {
			return &Error{"OPERATOR_ORG", "must be an organization's slug (3-40 characters of a-z, 0-9 and -)"}
		}
		c.OperatorOrg = v
	}
	var err error
	for _, d := range []struct {
		dst         *time.Duration
		name        string
		def, lo, hi time.Duration
		msg         string
	}{
		{&c.OfflineAfter, "OFFLINE_AFTER", 10 * time.Minute, time.Minute, 24 * time.Hour, "must be a duration between 1m and 24h, e.g. 10m"},
		{&c.StaleAfter, "STALE_AFTER", time.Hour, 0, 30 * 24 * time.Hour, "must be a duration up to 720h, e.g. 1h"},
		{&c.FaultPollInterval, "FAULT_POLL_INTERVAL", time.Minute, time.Second, time.Hour, "must be a duration between 1s and 1h, e.g. 1m"},
		{&c.SyncInterval, "SYNC_INTERVAL", time.Minute, 5 * time.Second, time.Hour, "must be a duration between 5s and 1h, e.g. 1m"},
		{&c.SyncFullInterval, "SYNC_FULL_INTERVAL", time.Hour, 5 * time.Minute, 7 * 24 * time.Hour, "must be a duration between 5m and 168h, e.g. 1h"},
		{&c.GenieACSProbeInterval, "GENIEACS_PROBE_INTERVAL", 10 * time.Second, time.Second, 5 * time.Minute, "must be a duration between 1s and 5m, e.g. 10s"},
		{&c.MetricsRetention, "METRICS_RETENTION", 30 * 24 * time.Hour, time.Hour, 400 * 24 * time.Hour, "must be a duration between 1h and 9600h, e.g. 720h"},
		{&c.ShutdownTimeout, "SHUTDOWN_TIMEOUT", 30 * time.Second, time.Second, 10 * time.Minute, "must be a duration between 1s and 10m, e.g. 30s"},
	} {
		if *d.dst, err = r.duration(d.name, d.def, d.lo, d.hi, d.msg); err != nil {
			return err
		}
		if d.name == "STALE_AFTER" && c.StaleAfter <= c.OfflineAfter {
			return &Error{"STALE_AFTER", "must be longer than OFFLINE_AFTER (" + c.OfflineAfter.String() + ")"}
		}
		if d.name == "SYNC_INTERVAL" && c.SyncInterval >= c.OfflineAfter {
			// The sync brings last informs: a device would look offline
			// between two passes.
			return &Error{"SYNC_INTERVAL", "must be shorter than OFFLINE_AFTER (" + c.OfflineAfter.String() + ")"}
		}
	}
	c.BulkRate = 20
	if v := r("BULK_RATE"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0.1 || rate > 1000 {
			return &Error{"BULK_RATE", "must be a number of devices per second between 0.1 and 1000"}
		}
		c.BulkRate = rate
	}
	c.GenieACSWorkers = 4
	if v := r("GENIEACS_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return &Error{"GENIEACS_WORKERS", "must be a number of concurrent GenieACS jobs between 1 and 64"}
		}
		c.GenieACSWorkers = n
	}
	return nil
}

// loadWebhooks: whether endpoints may resolve to private addresses.
func (c *Config) loadWebhooks(r reader) error {
	if v := r("WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &Error{"WEBHOOK_ALLOW_PRIVATE", "must be true or false"}
		}
		c.WebhookAllowPrivate = b
	}
	return nil
}

// loadFirmware: the image upload limits and the deployments' pace.
func (c *Config) loadFirmware(r reader) error {
	var err error
	if c.FirmwareFollowInterval, err = r.duration("FIRMWARE_FOLLOW_INTERVAL", 10*time.Second, 100*time.Millisecond, 10*time.Minute,
		"must be a duration between 100ms and 10m, e.g. 10s"); err != nil {
		return err
	}
	for _, b := range []struct {
		dst      *int64
		name     string
		def, max int64
	}{
		{&c.FirmwareMaxBytes, "FIRMWARE_MAX_BYTES", 512 << 20, 8 << 30},
		{&c.FirmwareJSONMaxBytes, "FIRMWARE_JSON_MAX_BYTES", 64 << 20, 256 << 20},
	} {
		*b.dst = b.def
		if v := r(b.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 || n > b.max {
				return &Error{b.name, fmt.Sprintf("must be a number of bytes between 1024 and %d", b.max)}
			}
			*b.dst = n
		}
	}
	return nil
}

// Needs says which configuration groups a command requires.
type Needs struct {
	// Server: HTTP, sessions, encryption (serve).
	Server bool
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return c.PublicURL != nil && c.PublicURL.Scheme == "https" }

func parseHTTPURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("must be an absolute http(s) URL")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

func parseSessionKeys(v string) ([][]byte, error) {
	if v == "" {
		return nil, errors.New("is required: one or more comma-separated base64 keys of at least 32 bytes (openssl rand -base64 32)")
	}
	var out [][]byte
	for i, s := range strings.Split(v, ",") {
		b, err := decodeKey(strings.TrimSpace(s))
		if err != nil || len(b) < 32 {
			return nil, fmt.Errorf("key %d must be base64 of at least 32 bytes (openssl rand -base64 32)", i+1)
		}
		out = append(out, b)
	}
	return out, nil
}

// ParseEncryptionKeys parses "id:base64[,id:base64...]" (a bare base64 key
// gets the id "k1"). Keys are exactly 32 bytes (AES-256).
func ParseEncryptionKeys(v string) ([]Key, error) {
	if v == "" {
		return nil, errors.New("is required: id:base64 of 32 bytes, e.g. k1:$(openssl rand -base64 32)")
	}
	var out []Key
	seen := map[string]bool{}
	for i, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		id, raw := "k1", s
		if before, after, ok := strings.Cut(s, ":"); ok {
			id, raw = before, after
		}
		if id == "" || len(id) > 16 || strings.ContainsAny(id, " \t") {
			return nil, fmt.Errorf("key %d has an invalid id %q (1-16 characters, no spaces)", i+1, id)
		}
		if seen[id] {
			return nil, fmt.Errorf("key id %q appears twice", id)
		}
		seen[id] = true
		b, err := decodeKey(raw)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("key %q must be base64 of exactly 32 bytes", id)
		}
		out = append(out, Key{ID: id, Bytes: b})
	}
	return out, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// operatorSlugRE is an organization slug's form (internal/org).
var operatorSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)
