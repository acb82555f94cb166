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
	// SyncFullInterval is the period of the full device sync pass
	// (SYNC_FULL_INTERVAL, default 1h); the incremental pass runs every
	// minute.
	SyncFullInterval time.Duration
	// MetricsRetention is how long device health samples are kept
	// (METRICS_RETENTION, default 720h).
	MetricsRetention time.Duration
	// BulkRate is how many devices a bulk action sends per second toward
	// GenieACS (BULK_RATE, default 20).
	BulkRate float64

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
	get := func(k string) string {
		v, _ := env(k)
		return strings.TrimSpace(v)
	}
	c := &Config{
		DatabaseURL: get("DATABASE_URL"),
		HTTPAddr:    get("HTTP_ADDR"),
		LogLevel:    strings.ToLower(get("LOG_LEVEL")),
	}
	if c.DatabaseURL == "" {
		return nil, &Error{"DATABASE_URL", "is required (e.g. postgres://postgres@127.0.0.1:5432/fyberpay?sslmode=disable)"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, &Error{"DATABASE_URL", "must be a postgres:// URL"}
	}
	switch c.LogLevel {
	case "", "info", "debug", "warn", "error":
	default:
		return nil, &Error{"LOG_LEVEL", "must be one of debug, info, warn, error"}
	}
	c.PasswordHashMemoryKiB = 64 * 1024
	if v := get("PASSWORD_HASH_MEMORY_KIB"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < 1024 {
			return nil, &Error{"PASSWORD_HASH_MEMORY_KIB", "must be an integer ≥ 1024"}
		}
		c.PasswordHashMemoryKiB = uint32(n)
	}
	if !needs.Server {
		return c, nil
	}

	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return nil, &Error{"HTTP_ADDR", "must be host:port, e.g. 127.0.0.1:8080"}
	}

	pub := get("PUBLIC_URL")
	if pub == "" {
		pub = "http://" + c.HTTPAddr
	}
	u, err := url.Parse(pub)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{"PUBLIC_URL", "must be an absolute http(s) URL, e.g. https://cpe.example.net"}
	}
	c.PublicURL = u

	keys, err := parseSessionKeys(get("SESSION_KEYS"))
	if err != nil {
		return nil, &Error{"SESSION_KEYS", err.Error()}
	}
	c.SessionKeys = keys

	ek, err := ParseEncryptionKeys(get("ENCRYPTION_KEY"))
	if err != nil {
		return nil, &Error{"ENCRYPTION_KEY", err.Error()}
	}
	c.EncryptionKeys = ek

	c.SessionTTL = 12 * time.Hour
	if v := get("SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			return nil, &Error{"SESSION_TTL", "must be a duration between 1m and 720h, e.g. 12h"}
		}
		c.SessionTTL = d
	}

	if v := get("GENIEACS_NBI_URL"); v != "" {
		if c.GenieACSNBIURL, err = parseHTTPURL(v); err != nil {
			return nil, &Error{"GENIEACS_NBI_URL", err.Error()}
		}
		fs := get("GENIEACS_FS_URL")
		if fs == "" {
			return nil, &Error{"GENIEACS_FS_URL", "is required when GENIEACS_NBI_URL is set"}
		}
		if c.GenieACSFSURL, err = parseHTTPURL(fs); err != nil {
			return nil, &Error{"GENIEACS_FS_URL", err.Error()}
		}
		if get("GENIEACS_INTERNAL_KEY") == "" {
			return nil, &Error{"GENIEACS_INTERNAL_KEY", "is required when GENIEACS_NBI_URL is set (at least 24 characters, e.g. openssl rand -hex 24)"}
		}
	} else if v := get("GENIEACS_FS_URL"); v != "" {
		if c.GenieACSFSURL, err = parseHTTPURL(v); err != nil {
			return nil, &Error{"GENIEACS_FS_URL", err.Error()}
		}
	}

	c.GenieACSFSPublicURL = c.GenieACSFSURL
	if v := get("GENIEACS_FS_PUBLIC_URL"); v != "" {
		if c.GenieACSFSPublicURL, err = parseHTTPURL(v); err != nil {
			return nil, &Error{"GENIEACS_FS_PUBLIC_URL", err.Error()}
		}
	}

	if v := get("GENIEACS_INTERNAL_KEY"); v != "" {
		if len(v) < 24 {
			return nil, &Error{"GENIEACS_INTERNAL_KEY", "must be at least 24 characters (e.g. openssl rand -hex 24)"}
		}
		c.GenieACSInternalKey = v
	}
	if v := get("TRUSTED_PROXIES"); v != "" {
		for _, s := range strings.Split(v, ",") {
			_, n, err := net.ParseCIDR(strings.TrimSpace(s))
			if err != nil {
				return nil, &Error{"TRUSTED_PROXIES", fmt.Sprintf("has %q, which is not a CIDR such as 10.0.0.0/8", s)}
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
	}
	c.TaskFollowInterval = 15 * time.Second
	if v := get("TASK_FOLLOW_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 10*time.Minute {
			return nil, &Error{"TASK_FOLLOW_INTERVAL", "must be a duration between 100ms and 10m, e.g. 15s"}
		}
		c.TaskFollowInterval = d
	}
	if v := get("OPERATOR_ORG"); v != "" {
		if !operatorSlugRE.MatchString(v) {
			return nil, &Error{"OPERATOR_ORG", "must be an organization's slug (3-40 characters of a-z, 0-9 and -)"}
		}
		c.OperatorOrg = v
	}
	c.OfflineAfter, c.StaleAfter = 10*time.Minute, time.Hour
	if v := get("OFFLINE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 24*time.Hour {
			return nil, &Error{"OFFLINE_AFTER", "must be a duration between 1m and 24h, e.g. 10m"}
		}
		c.OfflineAfter = d
	}
	if v := get("STALE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d > 30*24*time.Hour {
			return nil, &Error{"STALE_AFTER", "must be a duration up to 720h, e.g. 1h"}
		}
		c.StaleAfter = d
	}
	if c.StaleAfter <= c.OfflineAfter {
		return nil, &Error{"STALE_AFTER", "must be longer than OFFLINE_AFTER (" + c.OfflineAfter.String() + ")"}
	}
	c.FaultPollInterval = time.Minute
	if v := get("FAULT_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return nil, &Error{"FAULT_POLL_INTERVAL", "must be a duration between 1s and 1h, e.g. 1m"}
		}
		c.FaultPollInterval = d
	}
	c.SyncFullInterval = time.Hour
	if v := get("SYNC_FULL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 5*time.Minute || d > 7*24*time.Hour {
			return nil, &Error{"SYNC_FULL_INTERVAL", "must be a duration between 5m and 168h, e.g. 1h"}
		}
		c.SyncFullInterval = d
	}
	c.MetricsRetention = 30 * 24 * time.Hour
	if v := get("METRICS_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 400*24*time.Hour {
			return nil, &Error{"METRICS_RETENTION", "must be a duration between 1h and 9600h, e.g. 720h"}
		}
		c.MetricsRetention = d
	}
	c.BulkRate = 20
	if v := get("BULK_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0.1 || r > 1000 {
			return nil, &Error{"BULK_RATE", "must be a number of devices per second between 0.1 and 1000"}
		}
		c.BulkRate = r
	}
	if v := get("WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, &Error{"WEBHOOK_ALLOW_PRIVATE", "must be true or false"}
		}
		c.WebhookAllowPrivate = b
	}
	return c, nil
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
