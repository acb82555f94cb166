package config

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var key32 = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))

func valid() map[string]string {
	return map[string]string{
		"DATABASE_URL":   "postgres://postgres@127.0.0.1:5432/fyberpay",
		"SESSION_KEYS":   key32,
		"ENCRYPTION_KEY": "k1:" + key32,
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	t.Run("DefaultsWhenValid", func(t *testing.T) {
		t.Parallel()
		c, err := Load(envOf(valid()), Needs{Server: true})
		require.NoError(t, err)
		require.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
		require.Equal(t, "http://127.0.0.1:8080", c.PublicURL.String())
		require.False(t, c.SecureCookies())
		require.Nil(t, c.GenieACSNBIURL, "GenieACS work is skipped when GENIEACS_NBI_URL is unset")
		require.Equal(t, "k1", c.EncryptionKeys[0].ID)
		require.Equal(t, 15*time.Second, c.TaskFollowInterval)
		require.Equal(t, 20.0, c.BulkRate)
		require.Equal(t, 10*time.Minute, c.OfflineAfter)
		require.Equal(t, time.Hour, c.StaleAfter)
		require.Equal(t, int64(512<<20), c.FirmwareMaxBytes)
		require.Equal(t, int64(64<<20), c.FirmwareJSONMaxBytes)
	})
	t.Run("HTTPSPublicURLMakesCookiesSecure", func(t *testing.T) {
		t.Parallel()
		m := valid()
		m["PUBLIC_URL"] = "https://cpe.example.net"
		c, err := Load(envOf(m), Needs{Server: true})
		require.NoError(t, err)
		require.True(t, c.SecureCookies())
	})
	t.Run("CLIOnlyNeedsDatabase", func(t *testing.T) {
		t.Parallel()
		_, err := Load(envOf(map[string]string{"DATABASE_URL": "postgres://x@y/z"}), Needs{})
		require.NoError(t, err)
	})

	bad := []struct {
		name, variable, value string
	}{
		{"MissingDatabase", "DATABASE_URL", ""},
		{"NotPostgres", "DATABASE_URL", "mysql://x"},
		{"BadAddr", "HTTP_ADDR", "8080"},
		{"BadPublicURL", "PUBLIC_URL", "cpe.example.net"},
		{"MissingSessionKeys", "SESSION_KEYS", ""},
		{"ShortSessionKey", "SESSION_KEYS", base64.StdEncoding.EncodeToString([]byte("short"))},
		{"MissingEncryptionKey", "ENCRYPTION_KEY", ""},
		{"WrongSizeEncryptionKey", "ENCRYPTION_KEY", "k1:" + base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))},
		{"DuplicateKeyID", "ENCRYPTION_KEY", "k1:" + key32 + ",k1:" + key32},
		{"BadNBIURL", "GENIEACS_NBI_URL", "genieacs:7557"},
		{"BadSessionTTL", "SESSION_TTL", "forever"},
		{"BadTrustedProxy", "TRUSTED_PROXIES", "10.0.0.1"},
		{"BadBool", "WEBHOOK_ALLOW_PRIVATE", "maybe"},
		{"BadLogLevel", "LOG_LEVEL", "loud"},
		{"TinyHashMemory", "PASSWORD_HASH_MEMORY_KIB", "12"},
		{"BadFollowInterval", "TASK_FOLLOW_INTERVAL", "often"},
		{"TooFastFollowInterval", "TASK_FOLLOW_INTERVAL", "1ms"},
		{"BadBulkRate", "BULK_RATE", "fast"},
		{"ZeroBulkRate", "BULK_RATE", "0"},
		{"ShortMetricsToken", "METRICS_TOKEN", "short"},
		{"BadMetricsAddr", "METRICS_ADDR", "9090"},
		{"BadShutdownTimeout", "SHUTDOWN_TIMEOUT", "forever"},
		{"TooLongShutdownTimeout", "SHUTDOWN_TIMEOUT", "1h"},
		{"BadGenieACSWorkers", "GENIEACS_WORKERS", "0"},
		{"BadFirmwareMax", "FIRMWARE_MAX_BYTES", "512M"},
		{"BadFirmwareFollow", "FIRMWARE_FOLLOW_INTERVAL", "1ms"},
		{"HugeFirmwareJSONMax", "FIRMWARE_JSON_MAX_BYTES", "1073741824"},
		{"BadSyncInterval", "SYNC_FULL_INTERVAL", "1s"},
		{"BadIncrementalSyncInterval", "SYNC_INTERVAL", "1s"},
		{"SyncNotShorterThanOffline", "SYNC_INTERVAL", "10m"},
		{"BadOfflineAfter", "OFFLINE_AFTER", "5s"},
		{"BadFaultPoll", "FAULT_POLL_INTERVAL", "2h"},
		{"StaleNotAfterOffline", "STALE_AFTER", "5m"},
		{"BadRetention", "METRICS_RETENTION", "forever"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := valid()
			m[tt.variable] = tt.value
			_, err := Load(envOf(m), Needs{Server: true})
			require.Error(t, err)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.variable, ce.Var, "the error names the variable")
			require.NotContains(t, err.Error(), "\n", "one line")
		})
	}

	t.Run("NBIURLNeedsFSAndInternalKey", func(t *testing.T) {
		t.Parallel()
		m := valid()
		m["GENIEACS_NBI_URL"] = "http://genieacs:7557"
		_, err := Load(envOf(m), Needs{Server: true})
		require.ErrorContains(t, err, "GENIEACS_FS_URL")
		m["GENIEACS_FS_URL"] = "http://genieacs:7567"
		_, err = Load(envOf(m), Needs{Server: true})
		require.ErrorContains(t, err, "GENIEACS_INTERNAL_KEY")
		m["GENIEACS_INTERNAL_KEY"] = strings.Repeat("x", 32)
		c, err := Load(envOf(m), Needs{Server: true})
		require.NoError(t, err)
		require.Equal(t, "genieacs:7557", c.GenieACSNBIURL.Host)
		require.Equal(t, "http://genieacs:7567", c.GenieACSFSPublicURL.String(), "devices reach the file server where we do, unless told")

		m["GENIEACS_FS_PUBLIC_URL"] = "http://acs.example.net:7567"
		c, err = Load(envOf(m), Needs{Server: true})
		require.NoError(t, err)
		require.Equal(t, "http://genieacs:7567", c.GenieACSFSURL.String())
		require.Equal(t, "http://acs.example.net:7567", c.GenieACSFSPublicURL.String())
		m["GENIEACS_FS_PUBLIC_URL"] = "acs.example.net"
		_, err = Load(envOf(m), Needs{Server: true})
		var ce *Error
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "GENIEACS_FS_PUBLIC_URL", ce.Var)
	})
	t.Run("OperatorOrg", func(t *testing.T) {
		t.Parallel()
		m := valid()
		c, err := Load(envOf(m), Needs{Server: true})
		require.NoError(t, err)
		require.Empty(t, c.OperatorOrg, "nobody by default")
		m["OPERATOR_ORG"] = "fyber-ops"
		c, err = Load(envOf(m), Needs{Server: true})
		require.NoError(t, err)
		require.Equal(t, "fyber-ops", c.OperatorOrg)
		m["OPERATOR_ORG"] = "Fyber Ops"
		_, err = Load(envOf(m), Needs{Server: true})
		var ce *Error
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "OPERATOR_ORG", ce.Var)
	})
	t.Run("SecretsNeverInErrors", func(t *testing.T) {
		t.Parallel()
		m := valid()
		m["ENCRYPTION_KEY"] = "k1:c2VjcmV0LXZhbHVlLXRoYXQtaXMtdG9vLXNob3J0"
		_, err := Load(envOf(m), Needs{Server: true})
		require.Error(t, err)
		require.NotContains(t, err.Error(), "c2VjcmV0")
	})
}
