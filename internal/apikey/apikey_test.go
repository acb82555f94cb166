package apikey

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGenerateAndParse(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		plain, prefix := generate()
		require.Len(t, prefix, 12)
		require.False(t, seen[prefix], "prefixes are random")
		seen[prefix] = true
		got, ok := parsePrefix(plain)
		require.True(t, ok)
		require.Equal(t, prefix, got)
		require.Equal(t, strings.ToLower(plain), plain)
	}
	for _, bad := range []string{"", "fpk_", "fpk_short_x", "Bearer fpk_", "fpk_aaaaaaaaaaaa_short", "xyz_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"} {
		_, ok := parsePrefix(bad)
		require.False(t, ok, bad)
	}
}
