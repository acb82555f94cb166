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

// A ZTE ONT's TR-098 site survey: each radio scans on its own and the CPE
// announces no end (no 8 DIAGNOSTICS COMPLETE), so the scan is polled to
// its results; networks of both bands (RSSI as the signal), advice per
// band from the TR-098 channels, and a channel applied at the TR-098 path.
func TestZTESiteSurveyIsPolled(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	id, gid := b.owned(t, "F660", 0)
	const radio = "InternetGatewayDevice.LANDevice.1.WIFI.Radio."

	tk, err := b.svc.NeighbourScan(ctx, a, id)
	require.NoError(t, err)
	done := b.wait(t, a, tk.ID, action.StatusDone)
	require.Regexp(t, `^\d neighbouring networks`, done.Message)
	require.Equal(t, "Completed", b.cpeValue(t, gid, radio+"1.DiagnosticsState"))
	require.Equal(t, "Completed", b.cpeValue(t, gid, radio+"2.DiagnosticsState"), "both radios scanned")
	d, err := b.svc.Diagnostics(ctx, a, id)
	require.NoError(t, err)
	n := d.Neighbours
	want := map[string]int{}
	for r, band := range map[string]string{"1": action.Band24, "2": action.Band5} {
		for i := 1; i <= 6; i++ {
			if ch := fmt.Sprint(b.cpeValue(t, gid, radio+r+".X_ZTE-COM_NeighborAP."+fmt.Sprint(i)+".Channel")); ch != "0" {
				want[band]++
			}
		}
	}
	got := map[string]int{}
	for _, nw := range n.Networks {
		got[nw.Band]++
		require.NotEmpty(t, nw.SSID)
		require.Less(t, nw.SignalDBm, -40, "RSSI in dBm")
	}
	require.Equal(t, want, got, "every network the CPE heard, in its radio's band")
	require.Positive(t, got[action.Band5])
	first := b.cpeValue(t, gid, radio+"1.X_ZTE-COM_NeighborAP.1.RSSI")
	found := false
	for _, nw := range n.Networks {
		found = found || (nw.Band == action.Band24 && fmt.Sprint(nw.SignalDBm) == fmt.Sprint(first) &&
			nw.SSID == fmt.Sprint(b.cpeValue(t, gid, radio+"1.X_ZTE-COM_NeighborAP.1.SSID")))
	}
	require.True(t, found, "the first 2.4 GHz result with its RSSI")
	require.Len(t, n.Advice, 2, "one per band, from the TR-098 channels")
	require.Equal(t, fmt.Sprint(b.cpeValue(t, gid, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel")), fmt.Sprint(n.Advice[0].Current))

	adv := n.Advice[0]
	ch := map[int]int{1: 6, 6: 11, 11: 1}[adv.Current]
	tk, err = b.svc.SetChannel(ctx, a, id, action.ChannelInput{Band: action.Band24, Channel: ch})
	require.NoError(t, err)
	b.wait(t, a, tk.ID, action.StatusDone)
	require.Equal(t, fmt.Sprint(ch), fmt.Sprint(b.cpeValue(t, gid, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel")))
}
