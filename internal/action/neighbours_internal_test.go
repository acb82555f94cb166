package action

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdviseChannel(t *testing.T) {
	t.Parallel()
	nw := func(band string, ch, dbm int) Network { return Network{Band: band, Channel: ch, SignalDBm: dbm} }
	tests := []struct {
		name    string
		band    string
		current int
		nets    []Network
		want    int
		reason  string
	}{
		{"NobodyAroundKeepsTheCurrent", Band24, 6, nil, 6, "no neighbouring network heard on this band"},
		{"AwayFromACrowdedSix", Band24, 6, []Network{nw(Band24, 6, -45), nw(Band24, 6, -50), nw(Band24, 1, -80)}, 11,
			"channel 11 has 100 % less interference than channel 6"},
		{"OverlapCounts", Band24, 1, []Network{nw(Band24, 3, -40), nw(Band24, 11, -70)}, 11,
			"channel 11 has 100 % less interference than channel 1"},
		{"AlreadyBest", Band24, 11, []Network{nw(Band24, 6, -45)}, 11, "the current channel is already the least crowded"},
		{"OtherBandIgnored", Band24, 1, []Network{nw(Band5, 1, -30)}, 1, "no neighbouring network heard on this band"},
		{"FiveGHzEmptyChannel", Band5, 36, []Network{nw(Band5, 36, -60), nw(Band5, 40, -70)}, 44,
			"channel 44 has 100 % less interference than channel 36"},
		{"FiveGHzUnknownCurrent", Band5, 0, []Network{nw(Band5, 36, -60)}, 40, "channel 40 is the least crowded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := AdviseChannel(tt.band, tt.current, tt.nets)
			require.Equal(t, tt.want, got.Recommended)
			require.Equal(t, tt.reason, got.Reason)
			require.Equal(t, tt.current, got.Current)
		})
	}
}
