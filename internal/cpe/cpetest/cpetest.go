// Package cpetest is the cpe_devices test kit: fixtures that write device
// rows directly, for tests (and benchmark seeding) only. The table's SQL
// stays under internal/cpe: tests of other packages put devices in the
// state they need through these typed helpers instead of writing
// INSERT or UPDATE statements of their own.
//
// The helpers write only what they name: no audit rows, outbox events or
// push jobs (use cpe.Service for those paths), and updated_at is left as
// it was. They take any db.Executor (a pool, a transaction or a
// connection) and return errors; unique violations are db.ErrConflict.
// Production code must not import this package.
package cpetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
)

// Device is a row to insert. Serial is required (serial_norm is
// cpe.NormalizeSerial of it); every other field left at its zero value
// leaves the column's default: NULL, the empty string or no tags, and
// source discovered.
type Device struct {
	OrgID        *uuid.UUID // nil: pending
	SubscriberID *uuid.UUID
	Serial       string
	OUI          string
	ProductClass string
	Manufacturer string
	GenieACSID   string // "": none (NULL)
	DataModel    string // "", TR-098 or TR-181
	// SoftwareVersion is the firmware GenieACS reported.
	SoftwareVersion string
	Source          string // "" (the default, discovered) or inventory
	Tags            []string
	LastInformAt    *time.Time
	FirstContactAt  *time.Time
}

// Stored is a device as the table holds it (see All).
type Stored struct {
	ID uuid.UUID
	Device
}

// row is a Device as JSON for jsonb_to_recordset: one parameter carries
// any number of rows, NULLs and tag arrays included (text must be valid
// UTF-8 without NUL, as the text columns need anyway).
type row struct {
	OrgID           *uuid.UUID `json:"org_id"`
	SubscriberID    *uuid.UUID `json:"subscriber_id"`
	Serial          string     `json:"serial"`
	SerialNorm      string     `json:"serial_norm"`
	OUI             string     `json:"oui"`
	ProductClass    string     `json:"product_class"`
	Manufacturer    string     `json:"manufacturer"`
	GenieACSID      *string    `json:"genieacs_id"`
	DataModel       string     `json:"data_model"`
	SoftwareVersion string     `json:"software_version"`
	Source          string     `json:"source"`
	Tags            []string   `json:"tags"`
	LastInformAt    *time.Time `json:"last_inform_at"`
	FirstContactAt  *time.Time `json:"first_contact_at"`
}

// column is a cpe_devices column an insert may write: it is written when
// any of the devices sets it.
type column struct {
	name, typ string
	set       func(Device) bool
}

var columns = []column{
	{"org_id", "uuid", func(d Device) bool { return d.OrgID != nil }},
	{"subscriber_id", "uuid", func(d Device) bool { return d.SubscriberID != nil }},
	{"serial", "text", func(Device) bool { return true }},
	{"serial_norm", "text", func(Device) bool { return true }},
	{"oui", "text", func(d Device) bool { return d.OUI != "" }},
	{"product_class", "text", func(d Device) bool { return d.ProductClass != "" }},
	{"manufacturer", "text", func(d Device) bool { return d.Manufacturer != "" }},
	{"genieacs_id", "text", func(d Device) bool { return d.GenieACSID != "" }},
	{"data_model", "text", func(d Device) bool { return d.DataModel != "" }},
	{"software_version", "text", func(d Device) bool { return d.SoftwareVersion != "" }},
	{"source", "text", func(d Device) bool { return d.Source != "" }},
	{"tags", "text[]", func(d Device) bool { return len(d.Tags) > 0 }},
	{"last_inform_at", "timestamptz", func(d Device) bool { return d.LastInformAt != nil }},
	{"first_contact_at", "timestamptz", func(d Device) bool { return d.FirstContactAt != nil }},
}

// micro is t at PostgreSQL's precision (truncated, as pgx sends times).
func micro(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	m := t.Truncate(time.Microsecond)
	return &m
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// prepare returns the columns the devices set, the record definition for
// jsonb_to_recordset and the rows as JSON.
func prepare(ds []Device) (cols []string, def string, rows []byte, err error) {
	var defs []string
	for _, c := range columns {
		for _, d := range ds {
			if c.set(d) {
				cols = append(cols, c.name)
				defs = append(defs, c.name+" "+c.typ)
				break
			}
		}
	}
	rs := make([]row, len(ds))
	for i, d := range ds {
		if d.Serial == "" {
			return nil, "", nil, fmt.Errorf("cpetest: device %d has no serial", i)
		}
		if (d.Source == "") != (ds[0].Source == "") {
			return nil, "", nil, errors.New("cpetest: Source is set on some devices and not on others")
		}
		r := row{OrgID: d.OrgID, SubscriberID: d.SubscriberID, Serial: d.Serial, SerialNorm: cpe.NormalizeSerial(d.Serial),
			OUI: d.OUI, ProductClass: d.ProductClass, Manufacturer: d.Manufacturer, DataModel: d.DataModel,
			SoftwareVersion: d.SoftwareVersion, Source: d.Source, Tags: d.Tags,
			LastInformAt: micro(d.LastInformAt), FirstContactAt: micro(d.FirstContactAt)}
		if d.GenieACSID != "" {
			r.GenieACSID = &d.GenieACSID
		}
		if r.Tags == nil {
			r.Tags = []string{} // the column's default, for a device beside one with tags
		}
		rs[i] = r
	}
	rows, err = json.Marshal(rs)
	return cols, strings.Join(defs, ", "), rows, err
}

// Insert inserts one device and returns its id.
func Insert(ctx context.Context, exec db.Executor, d Device) (uuid.UUID, error) {
	ids, err := InsertMany(ctx, exec, []Device{d})
	if err != nil {
		return uuid.Nil, err
	}
	return ids[0], nil
}

// InsertMany inserts the devices in one statement (fast for a fleet of
// 100,000) and returns their ids in the same order. A column any of them
// sets is written for all of them, a zero value as the column's default
// (Source, whose default is not the empty string, must then be set on all).
func InsertMany(ctx context.Context, exec db.Executor, ds []Device) ([]uuid.UUID, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	cols, def, rows, err := prepare(ds)
	if err != nil {
		return nil, err
	}
	list := strings.Join(cols, ", ")
	rs, err := exec.Query(ctx, `INSERT INTO cpe_devices (`+list+`) SELECT `+list+`
		FROM jsonb_to_recordset($1::jsonb) AS r(`+def+`) RETURNING serial_norm, id`, string(rows))
	if err != nil {
		return nil, fmt.Errorf("cpetest: insert devices: %w", db.MapErr(err))
	}
	defer rs.Close()
	byNorm := make(map[string]uuid.UUID, len(ds))
	for rs.Next() {
		var norm string
		var id uuid.UUID
		if err := rs.Scan(&norm, &id); err != nil {
			return nil, fmt.Errorf("cpetest: insert devices: %w", err)
		}
		byNorm[norm] = id
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("cpetest: insert devices: %w", db.MapErr(err))
	}
	ids := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		ids[i] = byNorm[cpe.NormalizeSerial(d.Serial)]
	}
	return ids, nil
}

// Upsert writes the devices in one statement, as the device sync does:
// a device whose serial_norm is new is inserted; an existing one gets
// every column the devices set (serial and serial_norm excepted). It
// returns how many were created and updated.
func Upsert(ctx context.Context, exec db.Executor, ds []Device) (created, updated int, err error) {
	if len(ds) == 0 {
		return 0, 0, nil
	}
	cols, def, rows, err := prepare(ds)
	if err != nil {
		return 0, 0, err
	}
	var sets []string
	for _, c := range cols {
		if c != "serial" && c != "serial_norm" {
			sets = append(sets, c+" = EXCLUDED."+c)
		}
	}
	onConflict := "DO NOTHING"
	if len(sets) > 0 {
		onConflict = "DO UPDATE SET " + strings.Join(sets, ", ")
	}
	list := strings.Join(cols, ", ")
	err = exec.QueryRow(ctx, `WITH up AS (
			INSERT INTO cpe_devices (`+list+`) SELECT `+list+` FROM jsonb_to_recordset($1::jsonb) AS r(`+def+`)
			ON CONFLICT (serial_norm) `+onConflict+`
			RETURNING xmax = 0 AS created
		)
		SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`, string(rows)).Scan(&created, &updated)
	if err != nil {
		return 0, 0, fmt.Errorf("cpetest: upsert devices: %w", db.MapErr(err))
	}
	return created, updated, nil
}

// All returns every device in the table, ordered by serial_norm, times in
// UTC.
func All(ctx context.Context, exec db.Executor) ([]Stored, error) {
	rs, err := exec.Query(ctx, `SELECT id, org_id, subscriber_id, serial, oui, product_class, manufacturer, COALESCE(genieacs_id, ''),
			data_model, software_version, source, tags, last_inform_at, first_contact_at
		FROM cpe_devices ORDER BY serial_norm`)
	if err != nil {
		return nil, fmt.Errorf("cpetest: read devices: %w", err)
	}
	defer rs.Close()
	var out []Stored
	for rs.Next() {
		var s Stored
		if err := rs.Scan(&s.ID, &s.OrgID, &s.SubscriberID, &s.Serial, &s.OUI, &s.ProductClass, &s.Manufacturer, &s.GenieACSID,
			&s.DataModel, &s.SoftwareVersion, &s.Source, &s.Tags, &s.LastInformAt, &s.FirstContactAt); err != nil {
			return nil, fmt.Errorf("cpetest: read devices: %w", err)
		}
		s.LastInformAt, s.FirstContactAt = utc(s.LastInformAt), utc(s.FirstContactAt)
		out = append(out, s)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("cpetest: read devices: %w", err)
	}
	return out, nil
}

// update runs one UPDATE of the devices ids (a single statement, however
// many) and fails unless each of them exists.
func update(ctx context.Context, exec db.Executor, what string, ids []uuid.UUID, set string, args ...any) error {
	distinct := map[uuid.UUID]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	tag, err := exec.Exec(ctx, `UPDATE cpe_devices SET `+set+` WHERE id = ANY($1)`, append([]any{ids}, args...)...)
	if err != nil {
		return fmt.Errorf("cpetest: %s: %w", what, db.MapErr(err))
	}
	if n := tag.RowsAffected(); n != int64(len(distinct)) {
		return fmt.Errorf("cpetest: %s: %d of %d devices not found", what, int64(len(distinct))-n, len(distinct))
	}
	return nil
}

// SetOrg moves the devices to an organization (nil: pending), as a claim
// or release would.
func SetOrg(ctx context.Context, exec db.Executor, ids []uuid.UUID, org *uuid.UUID) error {
	return update(ctx, exec, "set organization", ids, `org_id = $2`, org)
}

// SetLastInform sets the devices' last inform (nil: never informed).
func SetLastInform(ctx context.Context, exec db.Executor, ids []uuid.UUID, at *time.Time) error {
	return update(ctx, exec, "set last inform", ids, `last_inform_at = $2`, micro(at))
}

// ShiftLastInform moves each device's last inform by d (microseconds), as
// a sync pass that brings newer informs does; a device that never
// informed stays so.
func ShiftLastInform(ctx context.Context, exec db.Executor, ids []uuid.UUID, d time.Duration) error {
	return update(ctx, exec, "shift last inform", ids, `last_inform_at = last_inform_at + $2::bigint * interval '1 microsecond'`, d.Microseconds())
}

// SetSoftwareVersion sets the devices' firmware version.
func SetSoftwareVersion(ctx context.Context, exec db.Executor, ids []uuid.UUID, version string) error {
	return update(ctx, exec, "set software version", ids, `software_version = $2`, version)
}

// SetProductClass sets the devices' model.
func SetProductClass(ctx context.Context, exec db.Executor, ids []uuid.UUID, productClass string) error {
	return update(ctx, exec, "set product class", ids, `product_class = $2`, productClass)
}

// SetOnlineState sets the online state last judged ("", online, offline)
// and when it changed (nil: never).
func SetOnlineState(ctx context.Context, exec db.Executor, id uuid.UUID, state string, changedAt *time.Time) error {
	return update(ctx, exec, "set online state", []uuid.UUID{id}, `online_state = $2, online_changed_at = $3`, state, micro(changedAt))
}

// SetGenieACS records the device's GenieACS id ("": none) and data model
// ("", TR-098 or TR-181), as identify does for a device that informed.
func SetGenieACS(ctx context.Context, exec db.Executor, id uuid.UUID, genieacsID, dataModel string) error {
	var gid *string
	if genieacsID != "" {
		gid = &genieacsID
	}
	return update(ctx, exec, "set GenieACS id", []uuid.UUID{id}, `genieacs_id = $2, data_model = $3`, gid, dataModel)
}

// MarkGone flags the device as no longer found in GenieACS (now), as a
// full sync pass does.
func MarkGone(ctx context.Context, exec db.Executor, id uuid.UUID) error {
	return update(ctx, exec, "mark gone", []uuid.UUID{id}, `genieacs_deleted_at = now()`)
}

// Health is a device's latest health values, as the sync stores them.
type Health struct {
	At               time.Time // when the device read them
	UptimeS          int64
	CPUPercent       float32
	MemoryFreeKiB    int64
	WANBytesSent     int64
	WANBytesReceived int64
	WiFiClients      int
}

// SetHealth sets the device's latest health values.
func SetHealth(ctx context.Context, exec db.Executor, id uuid.UUID, h Health) error {
	return update(ctx, exec, "set health", []uuid.UUID{id}, `health_at = $2, uptime_s = $3, cpu_percent = $4, memory_free_kib = $5,
		wan_bytes_sent = $6, wan_bytes_received = $7, wifi_clients = $8`,
		micro(&h.At), h.UptimeS, h.CPUPercent, h.MemoryFreeKiB, h.WANBytesSent, h.WANBytesReceived, h.WiFiClients)
}

// Delete deletes the devices (their contacts, Wi-Fi, metrics and
// conflicts go with them).
func Delete(ctx context.Context, exec db.Executor, ids []uuid.UUID) error {
	distinct := map[uuid.UUID]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	tag, err := exec.Exec(ctx, `DELETE FROM cpe_devices WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("cpetest: delete devices: %w", db.MapErr(err))
	}
	if n := tag.RowsAffected(); n != int64(len(distinct)) {
		return fmt.Errorf("cpetest: delete devices: %d of %d devices not found", int64(len(distinct))-n, len(distinct))
	}
	return nil
}
