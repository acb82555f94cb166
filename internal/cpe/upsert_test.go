package cpe_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/cpe"
)

// report is one row of the sync's staging table.
type report struct {
	genieID, serial, oui, product, manufacturer, model, software string
	inform                                                       time.Time
	tags                                                         []string
	uptime                                                       *int64
	healthAt                                                     *time.Time
	caps                                                         *string // JSON; nil: unknown
}

// stage runs the sync's upsert of reports, as devsync does: a temporary
// sync_stage in the transaction, then cpe.UpsertStaged.
func stage(t *testing.T, b *testBundle, reports ...report) (created, updated int) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, cpe.StageTable+` ON COMMIT DROP`); err != nil {
			return err
		}
		for _, r := range reports {
			if _, err := tx.Exec(ctx, `INSERT INTO sync_stage (genieacs_id, serial, serial_norm, oui, product_class, manufacturer,
				data_model, software_version, last_inform_at, tags, uptime_s, health_at, capabilities)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				r.genieID, r.serial, cpe.NormalizeSerial(r.serial), r.oui, r.product, r.manufacturer, r.model, r.software,
				r.inform, r.tags, r.uptime, r.healthAt, r.caps); err != nil {
				return err
			}
		}
		var err error
		created, updated, err = cpe.UpsertStaged(ctx, tx)
		return err
	}))
	return created, updated
}

type stored struct {
	serial, oui, product, manufacturer, genieID, model, software string
	tags                                                         []string
	inform, firstContact, gone, updatedAt                        *time.Time
	uptime                                                       *int64
	caps                                                         *string
}

func read(t *testing.T, b *testBundle, norm string) stored {
	t.Helper()
	var s stored
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT serial, oui, product_class, manufacturer, COALESCE(genieacs_id, ''),
		data_model, software_version, tags, last_inform_at, first_contact_at, genieacs_deleted_at, updated_at, uptime_s,
		capabilities::text FROM cpe_devices WHERE serial_norm = $1`, norm).
		Scan(&s.serial, &s.oui, &s.product, &s.manufacturer, &s.genieID, &s.model, &s.software, &s.tags, &s.inform,
			&s.firstContact, &s.gone, &s.updatedAt, &s.uptime, &s.caps))
	return s
}

// TestOneUpsertMergeRules: identify and the sync merge their reports of a
// device through one statement, with one set of rules.
func TestOneUpsertMergeRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	const hex, norm = "48575443A1B2C3D4", "HWTCA1B2C3D4"
	in := huawei(hex)
	_, err := b.svc.Identify(ctx, in)
	require.NoError(t, err)
	first := read(t, b, norm)
	require.NotNil(t, first.firstContact)
	require.Equal(t, []string{}, first.tags)

	// The sync's report: tags, software version, last inform, health; its
	// own (lower-case) OUI is stored in identify's form.
	inform := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	up := int64(3600)
	created, updated := stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259e", product: "HG8245H",
		manufacturer: in.Manufacturer, model: "TR-098", software: "V5R019", inform: inform, tags: []string{"org:acme"},
		uptime: &up, healthAt: &inform})
	require.Equal(t, [2]int{0, 1}, [2]int{created, updated})
	synced := read(t, b, norm)
	require.Equal(t, "00259E", synced.oui)
	require.Equal(t, "V5R019", synced.software)
	require.Equal(t, []string{"org:acme"}, synced.tags)
	require.Equal(t, first.firstContact, synced.firstContact, "the first contact is set once")
	require.EqualValues(t, 3600, *synced.uptime)

	t.Run("AnUnchangedReportWritesNothing", func(t *testing.T) {
		created, updated := stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H",
			manufacturer: in.Manufacturer, model: "TR-098", software: "V5R019", inform: inform, tags: []string{"org:acme"},
			uptime: &up, healthAt: &inform})
		require.Equal(t, [2]int{0, 0}, [2]int{created, updated})
		require.Equal(t, synced.updatedAt, read(t, b, norm).updatedAt)
	})
	t.Run("WhatAReportLeavesOutIsKept", func(t *testing.T) {
		// identify carries no tags, software version, inform time or
		// health; a report with an empty product class keeps the stored one.
		in := in
		in.ProductClass, in.Manufacturer = "", "Huawei"
		_, err := b.svc.Identify(ctx, in)
		require.NoError(t, err)
		s := read(t, b, norm)
		require.Equal(t, "HG8245H", s.product)
		require.Equal(t, "Huawei", s.manufacturer)
		require.Equal(t, []string{"org:acme"}, s.tags)
		require.Equal(t, "V5R019", s.software)
		require.Equal(t, synced.inform, s.inform)
		require.EqualValues(t, 3600, *s.uptime)
	})
	t.Run("CapabilitiesAreTheLatestJudgement", func(t *testing.T) {
		caps := `{"pppoe": true, "hosts": false}`
		stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H", model: "TR-098",
			inform: inform, tags: []string{"org:acme"}, caps: &caps})
		require.JSONEq(t, caps, *read(t, b, norm).caps)
		// A document whose objects are not discovered judges nothing: the
		// stored judgement stays.
		created, updated := stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H", model: "TR-098",
			inform: inform, tags: []string{"org:acme"}})
		require.Equal(t, [2]int{0, 0}, [2]int{created, updated})
		require.JSONEq(t, caps, *read(t, b, norm).caps)
		fewer := `{"hosts": false}`
		stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H", model: "TR-098",
			inform: inform, tags: []string{"org:acme"}, caps: &fewer})
		require.JSONEq(t, fewer, *read(t, b, norm).caps)
	})
	t.Run("AnOlderInformDoesNotTakeTimeBack", func(t *testing.T) {
		stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H",
			model: "TR-098", inform: inform.Add(-time.Hour), tags: []string{"org:acme"}})
		require.Equal(t, synced.inform, read(t, b, norm).inform)
	})
	t.Run("ASyncedDocumentIsNoLongerGone", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET genieacs_deleted_at = now() WHERE serial_norm = $1`, norm)
		require.NoError(t, err)
		_, err = b.svc.Identify(ctx, in)
		require.NoError(t, err)
		require.NotNil(t, read(t, b, norm).gone, "identify's report is not GenieACS's document")
		stage(t, b, report{genieID: in.DeviceID, serial: hex, oui: "00259E", product: "HG8245H", model: "TR-098",
			inform: time.Now(), tags: []string{"org:acme"}})
		require.Nil(t, read(t, b, norm).gone)
	})
	t.Run("AClaimedIdentityIsHeld", func(t *testing.T) {
		_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET org_id = $2 WHERE serial_norm = $1`, norm, b.org.ID)
		require.NoError(t, err)
		before := read(t, b, norm)
		// A report of the serial under another GenieACS id, OUI and model
		// is not merged (identify opens an identity conflict instead).
		created, updated := stage(t, b, report{genieID: "9CE374-F660-" + hex, serial: hex, oui: "9CE374", product: "F660",
			model: "TR-098", inform: time.Now().Add(time.Minute), tags: []string{"x"}})
		require.Equal(t, [2]int{0, 0}, [2]int{created, updated})
		require.Equal(t, before, read(t, b, norm))
	})
	t.Run("ANewDeviceIsCreated", func(t *testing.T) {
		created, updated := stage(t, b, report{genieID: "00259E-HG8245H-48575443FFFF0001", serial: "48575443FFFF0001",
			oui: "00259E", product: "HG8245H", model: "TR-098", inform: inform})
		require.Equal(t, [2]int{1, 0}, [2]int{created, updated})
		s := read(t, b, "HWTCFFFF0001")
		require.Equal(t, inform, s.firstContact.UTC().Truncate(time.Millisecond).In(inform.Location()), "first seen at its last inform")
	})
}
