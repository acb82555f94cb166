package cpe

import (
	"testing"

	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/stretchr/testify/require"
)

func TestNormalizeSerial(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"48575443A1B2C3D4", "HWTCA1B2C3D4"},
		{"hwtca1b2c3d4", "HWTCA1B2C3D4"},
		{" HWTCA1B2C3D4 ", "HWTCA1B2C3D4"},
		{"48575443e204802c", "HWTCE204802C"}, // GenieACS issue #71's Huawei
		{"ZTEGC0FFEE12", "ZTEGC0FFEE12"},
		{"2233445566778899", "2233445566778899"}, // hex, but 0x22.. is not a vendor id
		{"1234567890123", "1234567890123"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, NormalizeSerial(tt.in))
		})
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	require.Equal(t, "sub:alice_smith_isp", devtag.Subscriber("alice.smith@isp"))
	require.Equal(t, "plan:home-10", devtag.Plan("home-10"))
	require.Equal(t, "org:acme", devtag.Org("acme"))
	require.Equal(t, "sub:jos_", devtag.Subscriber("josé"), "one '_' per rune")
}
