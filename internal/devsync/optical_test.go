package devsync_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// TestOpticalLevelsAreJudgedAndAlarmsRaised: the sync stores each ONT's
// optical levels (vendor paths, dBm) and a sample of them, judges the
// received one against its organization's thresholds, and raises
// cpe.optical_alarm when it crosses one (again when it worsens) and
// cpe.optical_alarm_cleared when it is good again; a first good reading
// and an unchanged level are quiet, and a device of no organization is
// not judged.
func TestOpticalLevelsAreJudgedAndAlarmsRaised(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim, _ := testfactory.GenieACS(t, acssim.Options{Devices: 0, Seed: 3, InformInterval: 24 * time.Hour, SessionDelay: time.Millisecond},
		testfactory.GenieACSOpts{})
	c := client(t, sim.NBIURL)
	s := service(t, pool, c)
	org := testfactory.Org(ctx, t, pool, nil)

	const hwRx = "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.RXPower"
	const zteRx = "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower"
	hw, err := sim.AddDevice(acssim.ProfileHuaweiHG8245H, "")
	require.NoError(t, err)
	zte, err := sim.AddDevice(acssim.ProfileZTEF660, "")
	require.NoError(t, err)
	stray, err := sim.AddDevice(acssim.ProfileHuaweiHG8245H, "")
	require.NoError(t, err)
	for _, gid := range []string{hw, zte, stray} {
		require.NoError(t, sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	}
	hwID := testfactory.RegisterGenieACSDevice(ctx, t, pool, c, org, hw)
	testfactory.RegisterGenieACSDevice(ctx, t, pool, c, org, zte)
	require.NoError(t, sim.SetValue(zte, zteRx, "-19.40"))
	require.NoError(t, sim.SetValue(stray, hwRx, "-33.00"))

	pass := func(rx string) {
		t.Helper()
		if rx != "" {
			require.NoError(t, sim.SetValue(hw, hwRx, rx))
		}
		for _, gid := range []string{hw, zte, stray} {
			require.NoError(t, sim.Inform(ctx, gid, "2 PERIODIC"))
		}
		_, err := s.Sync(ctx, devsync.Full)
		require.NoError(t, err)
	}
	type event struct {
		Topic   string
		Payload map[string]any
	}
	events := func() []event {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT topic, payload FROM outbox_events WHERE topic LIKE 'cpe.optical%' ORDER BY created_at`)
		require.NoError(t, err)
		defer rows.Close()
		var out []event
		for rows.Next() {
			var e event
			var raw []byte
			require.NoError(t, rows.Scan(&e.Topic, &raw))
			require.NoError(t, json.Unmarshal(raw, &e.Payload))
			out = append(out, e)
		}
		return out
	}
	level := func(gid string) (string, *float32) {
		var l *string
		var rx *float32
		require.NoError(t, pool.QueryRow(ctx, `SELECT optical_level, optical_rx_dbm FROM cpe_devices WHERE genieacs_id = $1`, gid).Scan(&l, &rx))
		if l == nil {
			return "", rx
		}
		return *l, rx
	}

	pass("-21.30")
	l, rx := level(hw)
	require.Equal(t, "good", l)
	require.InDelta(t, -21.3, *rx, 0.001)
	l, _ = level(zte)
	require.Equal(t, "good", l, "ZTE's own path")
	l, rx = level(stray)
	require.Equal(t, "", l, "a device of no organization has no thresholds")
	require.NotNil(t, rx, "its reading is kept")
	require.Empty(t, events(), "good at first: nothing happened")
	var samples int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM cpe_metrics WHERE device_id = $1 AND optical_rx_dbm IS NOT NULL
		AND optical_tx_dbm IS NOT NULL AND hosts IS NOT NULL`, hwID).Scan(&samples))
	require.Equal(t, 1, samples, "the health sample carries the levels and the host count")

	pass("-28.10")
	ev := events()
	require.Len(t, ev, 1)
	require.Equal(t, "cpe.optical_alarm", ev[0].Topic)
	require.Equal(t, "weak", ev[0].Payload["level"])
	require.Equal(t, "good", ev[0].Payload["previousLevel"])
	require.InDelta(t, -28.1, ev[0].Payload["rxDbm"], 0.001)

	pass("") // unchanged
	require.Len(t, events(), 1)

	pass("-31.50")
	ev = events()
	require.Len(t, ev, 2)
	require.Equal(t, "critical", ev[1].Payload["level"], "worse: raised again %+v", ev)
	require.Equal(t, "weak", ev[1].Payload["previousLevel"])

	pass("-20.00")
	ev = events()
	require.Len(t, ev, 3, "%+v", ev)
	require.Equal(t, "cpe.optical_alarm_cleared", ev[2].Topic, "%+v", ev)
	require.Equal(t, "good", ev[2].Payload["level"])

	// The organization's own thresholds: -20 is weak where weak starts at -19.
	_, err = pool.Exec(ctx, `UPDATE organizations SET optical_weak_dbm = -19 WHERE id = $1`, org.ID)
	require.NoError(t, err)
	pass("")
	l, _ = level(hw)
	require.Equal(t, "weak", l)
	l, _ = level(zte)
	require.Equal(t, "weak", l)
}

// TestOpticalLevelInSQLIsTheLineLevel: the sync's judgement (SQL) and the
// device line's (Go) agree on every side of each default threshold.
func TestOpticalLevelInSQLIsTheLineLevel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	org := testfactory.Org(ctx, t, pool, nil)
	th := action.DefaultOptical()
	for _, rx := range []float32{-7.99, -8, -8.01, -26.99, -27, -27.01, -29.99, -30, -30.01, -40} {
		var got string
		require.NoError(t, pool.QueryRow(ctx, `SELECT `+devsync.OpticalLevelSQL("$2::real", "o")+` FROM organizations o WHERE o.id = $1`,
			org.ID, rx).Scan(&got))
		v := float64(rx)
		require.Equal(t, th.Level(&v), got, "%v dBm", rx)
	}
}
