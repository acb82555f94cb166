package cpetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestKit(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	o := testfactory.Org(ctx, t, pool, nil)
	other := testfactory.Org(ctx, t, pool, nil)
	at := time.Now().UTC().Truncate(time.Microsecond)
	earlier := at.Add(-time.Hour)
	byID := func(t *testing.T, id uuid.UUID) cpetest.Stored {
		t.Helper()
		all, err := cpetest.All(ctx, pool)
		require.NoError(t, err)
		for _, s := range all {
			if s.ID == id {
				return s
			}
		}
		t.Fatalf("device %s not found", id)
		return cpetest.Stored{}
	}

	t.Run("InsertWritesOnlyWhatIsSet", func(t *testing.T) {
		id, err := cpetest.Insert(ctx, pool, cpetest.Device{Serial: "48575443A1B2C3D4"})
		require.NoError(t, err)
		got := byID(t, id)
		require.Equal(t, cpetest.Device{Serial: "48575443A1B2C3D4", Source: "discovered", Tags: []string{}}, got.Device)
		var norm string
		require.NoError(t, pool.QueryRow(ctx, `SELECT serial_norm FROM cpe_devices WHERE id = $1`, id).Scan(&norm))
		require.Equal(t, "HWTCA1B2C3D4", norm, "the label form")

		_, err = cpetest.Insert(ctx, pool, cpetest.Device{Serial: "HWTCA1B2C3D4"})
		require.ErrorIs(t, err, db.ErrConflict)
		_, err = cpetest.Insert(ctx, pool, cpetest.Device{})
		require.ErrorContains(t, err, "no serial")
	})

	t.Run("InsertManyKeepsTheOrder", func(t *testing.T) {
		sub := testfactory.Subscriber(ctx, t, pool, nil, o, &testfactory.SubscriberOpts{PPPoEPassword: testfactory.Ptr("")})
		full := cpetest.Device{OrgID: &o.ID, SubscriberID: &sub, Serial: "KIT00002", OUI: "00259E", ProductClass: "HG8245H",
			Manufacturer: "Huawei", GenieACSID: "00259E-HG8245H-KIT00002", DataModel: "TR-098", SoftwareVersion: "V1",
			Source: "inventory", Tags: []string{"org:x", "sub:y"}, LastInformAt: &at, FirstContactAt: &earlier}
		bare := cpetest.Device{Serial: "KIT00001", Source: "discovered"}
		ids, err := cpetest.InsertMany(ctx, pool, []cpetest.Device{full, bare})
		require.NoError(t, err)
		require.Len(t, ids, 2)
		require.Equal(t, full, byID(t, ids[0]).Device)
		bare.Tags = []string{}
		require.Equal(t, bare, byID(t, ids[1]).Device, "a column one device sets takes the default's value on the other")

		_, err = cpetest.InsertMany(ctx, pool, []cpetest.Device{{Serial: "KIT00003", Source: "inventory"}, {Serial: "KIT00004"}})
		require.ErrorContains(t, err, "Source")
		ids, err = cpetest.InsertMany(ctx, pool, nil)
		require.NoError(t, err)
		require.Empty(t, ids)
	})

	t.Run("UpsertInsertsAndUpdatesInOneStatement", func(t *testing.T) {
		id, err := cpetest.Insert(ctx, pool, cpetest.Device{OrgID: &o.ID, Serial: "UPS00001", ProductClass: "F660", SoftwareVersion: "V1"})
		require.NoError(t, err)
		created, updated, err := cpetest.Upsert(ctx, pool, []cpetest.Device{
			{Serial: "UPS00001", SoftwareVersion: "V2", LastInformAt: &at},
			{Serial: "UPS00002", SoftwareVersion: "V1", LastInformAt: &earlier},
		})
		require.NoError(t, err)
		require.Equal(t, []int{1, 1}, []int{created, updated})
		got := byID(t, id)
		require.Equal(t, "V2", got.SoftwareVersion)
		require.Equal(t, at, *got.LastInformAt)
		require.Equal(t, "F660", got.ProductClass, "a column no device sets is left alone")
		require.Equal(t, &o.ID, got.OrgID)
	})

	t.Run("Setters", func(t *testing.T) {
		a, err := cpetest.Insert(ctx, pool, cpetest.Device{OrgID: &o.ID, Serial: "SET00001", LastInformAt: &earlier})
		require.NoError(t, err)
		b, err := cpetest.Insert(ctx, pool, cpetest.Device{Serial: "SET00002"})
		require.NoError(t, err)
		both := []uuid.UUID{a, b}

		require.NoError(t, cpetest.SetOrg(ctx, pool, both, &other.ID))
		require.Equal(t, &other.ID, byID(t, b).OrgID)
		require.NoError(t, cpetest.SetOrg(ctx, pool, []uuid.UUID{b}, nil))
		require.Nil(t, byID(t, b).OrgID)

		require.NoError(t, cpetest.ShiftLastInform(ctx, pool, both, 37*time.Second))
		require.Equal(t, earlier.Add(37*time.Second), *byID(t, a).LastInformAt)
		require.Nil(t, byID(t, b).LastInformAt, "a device that never informed stays so")
		require.NoError(t, cpetest.SetLastInform(ctx, pool, []uuid.UUID{b}, &at))
		require.Equal(t, at, *byID(t, b).LastInformAt)
		require.NoError(t, cpetest.SetLastInform(ctx, pool, []uuid.UUID{b}, nil))
		require.Nil(t, byID(t, b).LastInformAt)

		require.NoError(t, cpetest.SetSoftwareVersion(ctx, pool, both, "V10"))
		require.NoError(t, cpetest.SetProductClass(ctx, pool, []uuid.UUID{a, a}, "F670L"))
		require.Equal(t, "V10", byID(t, b).SoftwareVersion)
		require.Equal(t, "F670L", byID(t, a).ProductClass)
		require.Empty(t, byID(t, b).ProductClass)

		require.NoError(t, cpetest.SetGenieACS(ctx, pool, a, "00259E-X-SET00001", "TR-181"))
		require.Equal(t, "00259E-X-SET00001", byID(t, a).GenieACSID)
		require.Equal(t, "TR-181", byID(t, a).DataModel)

		require.NoError(t, cpetest.SetOnlineState(ctx, pool, a, "offline", &earlier))
		require.NoError(t, cpetest.MarkGone(ctx, pool, a))
		require.NoError(t, cpetest.SetHealth(ctx, pool, a, cpetest.Health{At: at, UptimeS: 3600, CPUPercent: 12.5,
			MemoryFreeKiB: 40960, WANBytesSent: 7, WANBytesReceived: 8, WiFiClients: 5}))
		var (
			state                       string
			changed, gone, healthAt     time.Time
			uptime, mem, sent, received int64
			cpu                         float32
			clients                     int
		)
		require.NoError(t, pool.QueryRow(ctx, `SELECT online_state, online_changed_at, genieacs_deleted_at, health_at, uptime_s,
				cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients FROM cpe_devices WHERE id = $1`, a).
			Scan(&state, &changed, &gone, &healthAt, &uptime, &cpu, &mem, &sent, &received, &clients))
		require.Equal(t, "offline", state)
		require.Equal(t, earlier, changed.UTC())
		require.WithinDuration(t, time.Now(), gone, time.Minute)
		require.Equal(t, at, healthAt.UTC())
		require.Equal(t, []int64{3600, 40960, 7, 8}, []int64{uptime, mem, sent, received})
		require.Equal(t, float32(12.5), cpu)
		require.Equal(t, 5, clients)

		missing := uuid.New()
		require.ErrorContains(t, cpetest.SetSoftwareVersion(ctx, pool, []uuid.UUID{a, missing}, "V11"), "1 of 2 devices not found")
		require.NoError(t, cpetest.Delete(ctx, pool, both))
		require.ErrorContains(t, cpetest.Delete(ctx, pool, both), "2 of 2 devices not found")
	})
}
