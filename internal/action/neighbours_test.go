package action_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/validation"
)

// TestNeighbourScanAndChannelAdvice: a neighbouring Wi-Fi scan on the
// TR-181 router lists what the CPE heard, strongest first, and advises a
// channel per band from it; applying the advice sets the radio's channel
// (its automatic choice off), read back; a bad band or channel is refused
// by field; the plain gateway without the diagnostic is refused by name.
func TestNeighbourScanAndChannelAdvice(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.owned(t, "Archer%20AX10", 0)

	tk, err := b.svc.NeighbourScan(ctx, a, id)
	require.NoError(t, err)
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.Regexp(t, `^\d neighbouring networks`, done.Message)
	d, err := b.svc.Diagnostics(ctx, a, id)
	require.NoError(t, err)
	n := d.Neighbours
	require.GreaterOrEqual(t, len(n.Networks), 5)
	count := b.cpeValue(t, gid, "Device.WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries")
	require.Equal(t, fmt.Sprint(count), fmt.Sprint(len(n.Networks)))
	for i := 1; i < len(n.Networks); i++ {
		require.GreaterOrEqual(t, n.Networks[i-1].SignalDBm, n.Networks[i].SignalDBm, "strongest first")
	}
	require.Len(t, n.Advice, 2, "one per radio")
	adv := n.Advice[0]
	require.Equal(t, action.Band24, adv.Band)
	require.Equal(t, fmt.Sprint(b.cpeValue(t, gid, "Device.WiFi.Radio.1.Channel")), fmt.Sprint(adv.Current))
	require.Equal(t, action.AdviseChannel(action.Band24, adv.Current, n.Networks), adv, "the advice is the scan's")

	// Apply a channel the advice did not pick if it is the current one:
	// the write must be visible on the CPE either way.
	ch := adv.Recommended
	if ch == adv.Current {
		ch = map[int]int{1: 6, 6: 11, 11: 1}[adv.Current]
	}
	tk, err = b.svc.SetChannel(ctx, a, id, action.ChannelInput{Band: action.Band24, Channel: ch})
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("set the 2.4 GHz channel to %d", ch), tk.Summary)
	b.wait(t, a, tk.ID, action.StatusDone)
	require.Equal(t, fmt.Sprint(ch), fmt.Sprint(b.cpeValue(t, gid, "Device.WiFi.Radio.1.Channel")))
	require.Equal(t, false, b.cpeValue(t, gid, "Device.WiFi.Radio.1.AutoChannelEnable"))

	for _, tc := range []struct {
		in    action.ChannelInput
		field string
	}{
		{action.ChannelInput{Band: "6GHz", Channel: 1}, "band"},
		{action.ChannelInput{Band: action.Band24, Channel: 14}, "channel"},
		{action.ChannelInput{Band: action.Band5, Channel: 37}, "channel"},
	} {
		_, err := b.svc.SetChannel(ctx, a, id, tc.in)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Contains(t, ve, tc.field, "%+v", tc.in)
	}
	_, err = b.svc.NeighbourScan(ctx, b.as(t, actor.RoleViewer), id)
	require.ErrorIs(t, err, actor.ErrForbidden)

	gw, _ := b.judged(t, "tenda-n301")
	_, err = b.svc.NeighbourScan(ctx, a, gw)
	missing(t, err, datamodel.CapNeighbourScan)
}
