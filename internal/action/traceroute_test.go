package action_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// TestTracerouteListsTheHops: a TR-143 traceroute on TR-098 and TR-181
// ends done with its hops (host, address, the tries' round-trip times) as
// the CPE reported them after "8 DIAGNOSTICS COMPLETE"; a max hop count
// shorter than the route stops there and fails saying so; bad input is
// refused by field before anything is sent; viewers may not; another
// organization's device is not found.
func TestTracerouteListsTheHops(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	a := b.as(t, actor.RoleTechnician)
	var id uuid.UUID
	for _, tc := range []struct{ model, hop string }{
		{"HG8245H", "InternetGatewayDevice.TraceRouteDiagnostics.RouteHops.%d.HopHostAddress"},
		{"Archer%20AX10", "Device.IP.Diagnostics.TraceRoute.RouteHops.%d.HostAddress"},
	} {
		var gid string
		id, gid = b.owned(t, tc.model, 0)
		tk, err := b.svc.Traceroute(ctx, a, id, action.TracerouteInput{Host: "example.com", Tries: 2})
		require.NoError(t, err)
		require.Equal(t, "traceroute to example.com", tk.Summary)
		done := b.wait(t, a, tk.ID, action.StatusDone)
		require.Regexp(t, `^\d hops to example\.com, \d+ ms$`, done.Message, tc.model)
		d, err := b.svc.Diagnostics(ctx, a, id)
		require.NoError(t, err)
		tr := d.Traceroute
		require.Equal(t, "example.com", tr.Host)
		require.GreaterOrEqual(t, len(tr.Hops), 4, tc.model)
		for i, h := range tr.Hops {
			require.Equal(t, fmt.Sprint(b.cpeValue(t, gid, fmt.Sprintf(tc.hop, i+1))), h.Address, "%s hop %d", tc.model, i+1)
			require.Len(t, h.RTTimesMs, 2, "two tries")
		}
		require.Equal(t, "example.com", tr.Hops[len(tr.Hops)-1].Host, "the last hop is the target")
		require.NotNil(t, tr.ResponseMs)

		tk, err = b.svc.Traceroute(ctx, a, id, action.TracerouteInput{Host: "8.8.8.8", MaxHops: 2})
		require.NoError(t, err)
		failed := b.wait(t, a, tk.ID, action.StatusFailed)
		require.Equal(t, "the device reported Error_MaxHopCountExceeded", failed.Message)
		d, err = b.svc.Diagnostics(ctx, a, id)
		require.NoError(t, err)
		require.Len(t, d.Traceroute.Hops, 2, "the hops it got to")
	}

	for _, tc := range []struct {
		in    action.TracerouteInput
		field string
	}{
		{action.TracerouteInput{}, "host"},
		{action.TracerouteInput{Host: "a b"}, "host"},
		{action.TracerouteInput{Host: "example.com", MaxHops: 65}, "maxHops"},
		{action.TracerouteInput{Host: "example.com", Tries: 4}, "tries"},
	} {
		_, err := b.svc.Traceroute(ctx, a, id, tc.in)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve, "%+v", tc.in)
		require.Contains(t, ve, tc.field)
	}
	_, err := b.svc.Traceroute(ctx, b.as(t, actor.RoleViewer), id, action.TracerouteInput{Host: "example.com"})
	require.ErrorIs(t, err, actor.ErrForbidden)
	_, err = b.svc.Traceroute(ctx, b.stranger(t), id, action.TracerouteInput{Host: "example.com"})
	require.ErrorIs(t, err, db.ErrNotFound)
}
