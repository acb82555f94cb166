package home

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dashboard"
)

func TestNum(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {100000, "100,000"}, {1234567, "1,234,567"}, {-1234, "-1,234"}, {-123, "-123"},
	} {
		require.Equal(t, tc.want, num(tc.n), "%d", tc.n)
	}
}

func TestTopBars(t *testing.T) {
	t.Parallel()
	t.Run("EveryBucketWhenFew", func(t *testing.T) {
		t.Parallel()
		rows := topBars([]dashboard.Bucket{{Value: "V 1+", Count: 3, Online: 1}, {Value: "", Count: 2}}, "firmware", "versions")
		require.Equal(t, []barRow{
			{label: "V 1+", href: "/devices?firmware=V+1%2B", count: 3, online: 1},
			{label: "Unknown", count: 2},
		}, rows)
	})
	t.Run("TheTailSummedWithoutALink", func(t *testing.T) {
		t.Parallel()
		var bs []dashboard.Bucket
		for i := range maxBars + 2 {
			bs = append(bs, dashboard.Bucket{Value: fmt.Sprintf("M%d", i), Count: 100 - i, Online: 1})
		}
		rows := topBars(bs, "model", "models")
		require.Len(t, rows, maxBars+1)
		require.Equal(t, "/devices?model=M0", rows[0].href)
		require.Equal(t, barRow{label: "2 other models", count: (100 - maxBars) + (100 - maxBars - 1), online: 2}, rows[maxBars])
	})
}
