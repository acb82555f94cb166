package cpe

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The one upsert of cpe_devices from a report about a device: identify
// (the CPE's own Inform, relayed by GenieACS's ext script) and the device
// sync (GenieACS's stored document) both merge what they saw through it,
// so their merge rules cannot drift apart.
//
// A report is a relation with the columns reportColumns; a column a source
// does not know is NULL (or the empty string for text). The rules, column by column:
var mergeRules = []struct {
	col, merged string
	// watched: a change of the column is a change of the row. Rows whose
	// watched columns would stay as they are are not written: an
	// unchanged fleet leaves no dead tuples, and a repeated report no
	// updated_at churn. Health values change with health_at.
	watched bool
}{
	// The serial's form (Huawei's hex report or the label) as the device
	// last reported it; serial_norm, the key, is the same either way.
	{"serial", "COALESCE(NULLIF(EXCLUDED.serial, ''), d.serial)", true},
	// Identity and inventory facts: a reported value replaces, an absent
	// one keeps what is stored (inventory may know the model first).
	{"oui", "COALESCE(NULLIF(EXCLUDED.oui, ''), d.oui)", true},
	{"product_class", "COALESCE(NULLIF(EXCLUDED.product_class, ''), d.product_class)", true},
	{"manufacturer", "COALESCE(NULLIF(EXCLUDED.manufacturer, ''), d.manufacturer)", true},
	{"genieacs_id", "COALESCE(EXCLUDED.genieacs_id, d.genieacs_id)", true},
	{"data_model", "COALESCE(NULLIF(EXCLUDED.data_model, ''), d.data_model)", true},
	{"software_version", "COALESCE(NULLIF(EXCLUDED.software_version, ''), d.software_version)", true},
	// Time only moves forward: a sync page read before a newer inform
	// cannot take it back.
	{"last_inform_at", "GREATEST(d.last_inform_at, EXCLUDED.last_inform_at)", true},
	// Tags are GenieACS's document's (a report with a last inform): they
	// replace ours, an empty list included.
	{"tags", "CASE WHEN EXCLUDED.last_inform_at IS NULL THEN d.tags ELSE EXCLUDED.tags END", true},
	// The first contact is set once.
	{"first_contact_at", "COALESCE(d.first_contact_at, EXCLUDED.first_contact_at)", true},
	// Health values: the latest sample, when the report has one.
	{"uptime_s", "COALESCE(EXCLUDED.uptime_s, d.uptime_s)", false},
	{"cpu_percent", "COALESCE(EXCLUDED.cpu_percent, d.cpu_percent)", false},
	{"memory_free_kib", "COALESCE(EXCLUDED.memory_free_kib, d.memory_free_kib)", false},
	{"wan_bytes_sent", "COALESCE(EXCLUDED.wan_bytes_sent, d.wan_bytes_sent)", false},
	{"wan_bytes_received", "COALESCE(EXCLUDED.wan_bytes_received, d.wan_bytes_received)", false},
	{"wifi_clients", "COALESCE(EXCLUDED.wifi_clients, d.wifi_clients)", false},
	{"health_at", "COALESCE(EXCLUDED.health_at, d.health_at)", true},
	{"optical_rx_dbm", "COALESCE(EXCLUDED.optical_rx_dbm, d.optical_rx_dbm)", false},
	{"optical_tx_dbm", "COALESCE(EXCLUDED.optical_tx_dbm, d.optical_tx_dbm)", false},
	// Capabilities: the latest judgement, when the report has one (a
	// document whose objects GenieACS has not discovered has none).
	{"capabilities", "COALESCE(EXCLUDED.capabilities, d.capabilities)", true},
	// A report read from GenieACS's document (it has a last inform) shows
	// the device is there again: no longer marked gone.
	{"genieacs_deleted_at", "CASE WHEN EXCLUDED.last_inform_at IS NULL THEN d.genieacs_deleted_at END", true},
}

// reportColumns are a report relation's columns, in the order of
// cpe_devices' insert.
const reportColumns = `serial, serial_norm, oui, product_class, manufacturer, genieacs_id, data_model,
	software_version, last_inform_at, tags, first_contact_at, uptime_s, cpu_percent, memory_free_kib,
	wan_bytes_sent, wan_bytes_received, wifi_clients, health_at, capabilities, optical_rx_dbm, optical_tx_dbm`

// identityHeld is true when a report contradicts a claimed device's
// identity (identify's knownRow.conflicts, as SQL): such a report never
// merges. Identify records it as an identity conflict; the sync skips it
// with a reason before it gets here. It guards the race where the stored
// identity changed between a caller's check and its upsert.
const identityHeld = `d.org_id IS NOT NULL AND (
		(d.oui <> '' AND EXCLUDED.oui <> '' AND d.oui <> EXCLUDED.oui)
		OR (d.first_contact_at IS NOT NULL AND (
			(d.product_class <> '' AND EXCLUDED.product_class <> '' AND d.product_class <> EXCLUDED.product_class)
			OR (d.genieacs_id IS NOT NULL AND EXCLUDED.genieacs_id IS NOT NULL AND d.genieacs_id <> EXCLUDED.genieacs_id))))`

// upsertReports is the upsert of the reports in relation src. It returns,
// per device written, id, org_id, subscriber_id, created (a new row) and
// first (its first contact is now, the transaction's time). A report that
// would change nothing, or that contradicts a claimed identity, returns no
// row.
func upsertReports(src string) string {
	set := make([]string, 0, len(mergeRules)+1)
	var before, after []string
	for _, r := range mergeRules {
		set = append(set, r.col+" = "+r.merged)
		if r.watched {
			before, after = append(before, "d."+r.col), append(after, r.merged)
		}
	}
	set = append(set, "updated_at = now()")
	return `INSERT INTO cpe_devices AS d (` + reportColumns + `)
		SELECT serial, serial_norm, upper(oui), COALESCE(product_class, ''), COALESCE(manufacturer, ''), genieacs_id,
			COALESCE(data_model, ''), COALESCE(software_version, ''), last_inform_at, COALESCE(tags, '{}'),
			first_contact_at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received,
			wifi_clients, health_at, capabilities, optical_rx_dbm, optical_tx_dbm
		FROM ` + src + `
		ON CONFLICT (serial_norm) DO UPDATE SET ` + strings.Join(set, ",\n\t\t\t") + `
		WHERE NOT (` + identityHeld + `)
			AND (` + strings.Join(before, ", ") + `) IS DISTINCT FROM (` + strings.Join(after, ", ") + `)
		RETURNING d.id, d.org_id, d.subscriber_id, xmax = 0 AS created, d.first_contact_at = now() AS first`
}

// identifyReport is identify's report: one device's Inform identity, its
// first contact now ($1 serial, $2 serial_norm, $3 oui, $4 product class,
// $5 manufacturer, $6 GenieACS id or NULL, $7 data model or the empty string).
const identifyReport = `(VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,
		NULL::text, NULL::timestamptz, NULL::text[], now(), NULL::bigint, NULL::real, NULL::bigint,
		NULL::bigint, NULL::bigint, NULL::integer, NULL::timestamptz, NULL::jsonb, NULL::real, NULL::real)) AS report(` + reportColumns + `)`

// upsertIdentified is identify's upsert.
var upsertIdentified = upsertReports(identifyReport)

// upsertStaged is the sync's upsert of its staging table sync_stage
// (genieacs_id, serial, serial_norm, oui, product_class, manufacturer,
// data_model, software_version, last_inform_at, tags, the health values
// and the capabilities): a device first seen by the sync was first in contact at its
// last inform.
var upsertStaged = upsertReports(`(SELECT serial, serial_norm, oui, product_class, manufacturer, genieacs_id, data_model,
		software_version, last_inform_at, tags, last_inform_at AS first_contact_at, uptime_s, cpu_percent,
		memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients, health_at, capabilities, optical_rx_dbm, optical_tx_dbm
		FROM sync_stage) AS report`)

// StageTable is the sync's staging table: its report's columns with their
// types (a temporary table of the session, created IF NOT EXISTS).
const StageTable = `CREATE TEMP TABLE IF NOT EXISTS sync_stage (
	genieacs_id text, serial text, serial_norm text, oui text, product_class text, manufacturer text,
	data_model text, software_version text, last_inform_at timestamptz, tags text[],
	uptime_s bigint, cpu_percent real, memory_free_kib bigint, wan_bytes_sent bigint, wan_bytes_received bigint,
	wifi_clients integer, health_at timestamptz, capabilities jsonb, optical_rx_dbm real, optical_tx_dbm real, hosts integer)`

// UpsertStaged merges the sync's staging table sync_stage into cpe_devices
// (the rules above) and returns how many devices were created and updated.
func UpsertStaged(ctx context.Context, tx pgx.Tx) (created, updated int, err error) {
	err = tx.QueryRow(ctx, `WITH up AS (`+upsertStaged+`)
		SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`).Scan(&created, &updated)
	if err != nil {
		return 0, 0, fmt.Errorf("upsert devices: %w", err)
	}
	return created, updated, nil
}
