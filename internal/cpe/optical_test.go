package cpe_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

// A fibre cut: most ONTs of one PON port in alarm at once. The ports are
// listed with the most ONTs in alarm first (then the largest share of the
// port), each with how many of its ONTs with a reading are in alarm, by
// level, the weakest level and since when; a port without alarms and
// devices without a port are not listed; another organization's ports
// never are.
func TestOpticalPortsGroupAFibreCut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	other := testfactory.Org(ctx, t, b.pool, nil)
	// port, level, rx: OLT-1 0/1/3 has 4 of 5 ONTs in alarm (the cut),
	// OLT-1 0/1/4 one weak of 2, OLT-2 0/2/1 all good, and alarms on
	// devices with no port recorded.
	seed := []struct {
		port, level string
		rx          float32
	}{
		{"OLT-1 0/1/3", "critical", -38}, {"OLT-1 0/1/3", "critical", -37.5}, {"OLT-1 0/1/3", "critical", -40},
		{"OLT-1 0/1/3", "weak", -28.2}, {"OLT-1 0/1/3", "good", -19},
		{"OLT-1 0/1/4", "weak", -27.9}, {"OLT-1 0/1/4", "good", -20},
		{"OLT-2 0/2/1", "good", -18}, {"", "critical", -33}, {"", "weak", -28},
	}
	for i, s := range seed {
		_, err := b.pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, pon_port, optical_rx_dbm, optical_level, optical_level_at)
			VALUES ($1, $2, $2, NULLIF($3, ''), $4, $5, now() - make_interval(mins => $6))`,
			b.org.ID, "ZTEGC0DE"+strings.Repeat("0", 3)+string(rune('A'+i)), s.port, s.rx, s.level, 10+i)
		require.NoError(t, err)
	}
	_, err := b.pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, pon_port, optical_rx_dbm, optical_level)
		SELECT $1, 'ZTEGF00' || i, 'ZTEGF00' || i, 'OLT-1 0/1/3', -39, 'critical' FROM generate_series(1, 9) i`, other.ID)
	require.NoError(t, err)

	ports, truncated, err := b.svc.OpticalPorts(ctx, a)
	require.NoError(t, err)
	require.False(t, truncated)
	require.Len(t, ports, 2, "the ports with ONTs in alarm")
	cut := ports[0]
	require.Equal(t, "OLT-1 0/1/3", cut.PONPort)
	require.Equal(t, 4, cut.Alarm, "never another organization's ONTs on a port of the same name")
	require.Equal(t, 5, cut.Devices)
	require.Equal(t, 3, cut.Critical)
	require.Equal(t, 1, cut.Weak)
	require.Zero(t, cut.Overload)
	require.InDelta(t, -40, cut.WeakestDBm, 0.001)
	require.Equal(t, cpe.OpticalPort{PONPort: "OLT-1 0/1/4", Alarm: 1, Weak: 1, Devices: 2, WeakestDBm: -27.9, Since: ports[1].Since}, ports[1])
	// Since: the earliest of the port's alarms (the fourth row's, 13
	// minutes ago; the good ONT's 14 minutes do not count).
	require.WithinDuration(t, time.Now().Add(-13*time.Minute), cut.Since, 5*time.Second)

	// The optical list and the device list narrow to one port.
	p, err := b.svc.Optical(ctx, a, cpe.OpticalFilter{PONPort: "OLT-1 0/1/3"})
	require.NoError(t, err)
	require.Len(t, p.Items, 4)
	require.Equal(t, "OLT-1 0/1/3", p.Items[0].PONPort)
	require.InDelta(t, -40, p.Items[0].RxDBm, 0.001, "weakest first")
	all, err := b.svc.Optical(ctx, a, cpe.OpticalFilter{PONPort: "OLT-1 0/1/3", Status: "all", Limit: 3})
	require.NoError(t, err)
	require.Len(t, all.Items, 3)
	rest, err := b.svc.Optical(ctx, a, cpe.OpticalFilter{PONPort: "OLT-1 0/1/3", Status: "all", Limit: 3, After: all.Next})
	require.NoError(t, err)
	require.Len(t, rest.Items, 2, "the port's cursor keeps the port")
	list, err := b.svc.List(ctx, a, cpe.Filter{PONPort: "OLT-1 0/1/4", Status: "optical_alarm"})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	n, err := b.svc.Count(ctx, a, cpe.Filter{PONPort: "OLT-1 0/1/3"})
	require.NoError(t, err)
	require.Equal(t, 5, n)

	var ve validation.Errors
	_, err = b.svc.Optical(ctx, a, cpe.OpticalFilter{PONPort: strings.Repeat("x", 65)})
	require.True(t, errors.As(err, &ve))
	require.Contains(t, ve, "ponPort")
	_, err = b.svc.List(ctx, a, cpe.Filter{PONPort: strings.Repeat("x", 65)})
	require.True(t, errors.As(err, &ve))
	require.Contains(t, ve, "pon_port")
}

// SetPONPort records a device's port (trimmed; "" forgets it), audits a
// change and nothing when unchanged; it refuses controls and overlong
// names, technicians and viewers, and another organization's device (not
// found).
func TestSetPONPort(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	d, err := b.svc.AddToInventory(ctx, a, cpe.InventoryInput{Serial: "HWTC5E7B0001", PONPort: " OLT-1 0/1/3 "})
	require.NoError(t, err)
	require.Equal(t, "OLT-1 0/1/3", d.PONPort, "given when added")

	d, err = b.svc.SetPONPort(ctx, a, d.ID, "OLT-1 0/1/4")
	require.NoError(t, err)
	require.Equal(t, "OLT-1 0/1/4", d.PONPort)
	_, err = b.svc.SetPONPort(ctx, a, d.ID, "OLT-1 0/1/4")
	require.NoError(t, err)
	var summaries []string
	rows, err := b.pool.Query(ctx, `SELECT summary FROM audit_log WHERE action = 'cpe.pon_port' AND target_id = $1`, d.ID.String())
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		summaries = append(summaries, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{`PON port of HWTC5E7B0001: "OLT-1 0/1/4", was "OLT-1 0/1/3"`}, summaries, "one row: the unchanged save wrote none")

	for _, bad := range []string{"OLT\t1", strings.Repeat("p", 65), "OLT–1"} {
		_, err := b.svc.SetPONPort(ctx, a, d.ID, bad)
		var ve validation.Errors
		require.True(t, errors.As(err, &ve), "%q: %v", bad, err)
		require.Equal(t, "must be at most 64 printable characters", ve["ponPort"])
	}
	for _, role := range []actor.Role{actor.RoleTechnician, actor.RoleViewer} {
		u := testfactory.User(ctx, t, b.pool, b.org, &testfactory.UserOpts{Role: &role})
		_, err := b.svc.SetPONPort(ctx, testfactory.Actor(u), d.ID, "OLT-9")
		require.ErrorIs(t, err, actor.ErrForbidden, role)
	}
	other := testfactory.Org(ctx, t, b.pool, nil)
	stranger := testfactory.Actor(testfactory.User(ctx, t, b.pool, other, nil))
	_, err = b.svc.SetPONPort(ctx, stranger, d.ID, "OLT-9")
	require.ErrorIs(t, err, db.ErrNotFound)
	_, err = b.svc.SetPONPort(ctx, a, uuid.New(), "OLT-9")
	require.ErrorIs(t, err, db.ErrNotFound)

	d, err = b.svc.SetPONPort(ctx, a, d.ID, "")
	require.NoError(t, err)
	require.Empty(t, d.PONPort, "forgotten")
}

// An inventory CSV's pon_port column is kept (added and claimed devices);
// a control character in it refuses the row.
func TestImportPONPortColumn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	_, err := b.pool.Exec(ctx, `INSERT INTO cpe_devices (serial, serial_norm) VALUES ('ZTEGC1A1M001', 'ZTEGC1A1M001')`)
	require.NoError(t, err)
	p, err := b.svc.PreviewImport(ctx, a, "olt.csv", strings.NewReader("serial,model,OLT_Port\nHWTC1A1A0001,HG8245H,OLT-1 0/1/3\nZTEGC1A1M001,F660,OLT-1 0/1/3\nHWTC1A1A0002,,\n"))
	require.NoError(t, err)
	require.Equal(t, 3, p.Valid, "%+v", p.Rows)
	require.Equal(t, "OLT-1 0/1/3", p.Rows[0].PONPort)
	_, err = b.svc.CommitImport(ctx, a, p.ID)
	require.NoError(t, err)
	list, err := b.svc.List(ctx, a, cpe.Filter{PONPort: "OLT-1 0/1/3"})
	require.NoError(t, err)
	require.Len(t, list.Items, 2, "the added and the claimed device")

	bad, err := b.svc.PreviewImport(ctx, a, "bad.csv", strings.NewReader("serial,pon_port\nHWTC1A1A0003,"+strings.Repeat("p", 65)+"\n"))
	require.NoError(t, err)
	require.Equal(t, 1, bad.Invalid)
	require.Equal(t, "PON port must be at most 64 printable characters", bad.Rows[0].Error)
}
