package cpe

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/db"
)

// The device sync's writes to cpe_devices. The sync stages GenieACS's
// documents in its transaction's temporary table sync_stage (genieacs_id,
// serial, serial_norm, oui, product_class, manufacturer, data_model,
// software_version, last_inform_at, tags, uptime_s, cpu_percent,
// memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients,
// health_at) and notes the ids a full pass saw in sync_seen; the merge
// rules live here, with the table.

// UpsertStaged merges sync_stage into cpe_devices on the serial: GenieACS's
// id, tags and last inform are taken; identity fields and the software
// version only when GenieACS has a value; health values when sampled; a
// device seen again is no longer marked gone. Rows that would not change
// are not written (no dead tuples for an unchanged fleet). It returns how
// many devices were created and updated.
func UpsertStaged(ctx context.Context, tx pgx.Tx) (created, updated int, err error) {
	err = tx.QueryRow(ctx, `
			WITH up AS (
				INSERT INTO cpe_devices AS d (serial, serial_norm, oui, product_class, manufacturer, genieacs_id, data_model,
					software_version, last_inform_at, tags, first_contact_at, uptime_s, cpu_percent, memory_free_kib,
					wan_bytes_sent, wan_bytes_received, wifi_clients, health_at)
				SELECT serial, serial_norm, oui, product_class, manufacturer, genieacs_id, data_model, software_version,
					last_inform_at, tags, last_inform_at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent,
					wan_bytes_received, wifi_clients, health_at
				FROM sync_stage
				ON CONFLICT (serial_norm) DO UPDATE SET
					genieacs_id = EXCLUDED.genieacs_id,
					oui = COALESCE(NULLIF(EXCLUDED.oui, ''), d.oui),
					product_class = COALESCE(NULLIF(EXCLUDED.product_class, ''), d.product_class),
					manufacturer = COALESCE(NULLIF(EXCLUDED.manufacturer, ''), d.manufacturer),
					data_model = COALESCE(NULLIF(EXCLUDED.data_model, ''), d.data_model),
					software_version = COALESCE(NULLIF(EXCLUDED.software_version, ''), d.software_version),
					last_inform_at = GREATEST(d.last_inform_at, EXCLUDED.last_inform_at),
					tags = EXCLUDED.tags,
					first_contact_at = COALESCE(d.first_contact_at, EXCLUDED.last_inform_at),
					uptime_s = COALESCE(EXCLUDED.uptime_s, d.uptime_s),
					cpu_percent = COALESCE(EXCLUDED.cpu_percent, d.cpu_percent),
					memory_free_kib = COALESCE(EXCLUDED.memory_free_kib, d.memory_free_kib),
					wan_bytes_sent = COALESCE(EXCLUDED.wan_bytes_sent, d.wan_bytes_sent),
					wan_bytes_received = COALESCE(EXCLUDED.wan_bytes_received, d.wan_bytes_received),
					wifi_clients = COALESCE(EXCLUDED.wifi_clients, d.wifi_clients),
					health_at = COALESCE(EXCLUDED.health_at, d.health_at),
					genieacs_deleted_at = NULL,
					updated_at = now()
				WHERE (d.genieacs_id, d.oui, d.product_class, d.manufacturer, d.data_model, d.software_version, d.last_inform_at,
						d.tags, d.health_at, d.genieacs_deleted_at)
					IS DISTINCT FROM
					(EXCLUDED.genieacs_id, COALESCE(NULLIF(EXCLUDED.oui, ''), d.oui), COALESCE(NULLIF(EXCLUDED.product_class, ''), d.product_class),
						COALESCE(NULLIF(EXCLUDED.manufacturer, ''), d.manufacturer), COALESCE(NULLIF(EXCLUDED.data_model, ''), d.data_model),
						COALESCE(NULLIF(EXCLUDED.software_version, ''), d.software_version), GREATEST(d.last_inform_at, EXCLUDED.last_inform_at),
						EXCLUDED.tags, COALESCE(EXCLUDED.health_at, d.health_at), NULL::timestamptz)
				RETURNING xmax = 0 AS created
			)
			SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`).Scan(&created, &updated)
	if err != nil {
		return 0, 0, fmt.Errorf("upsert devices: %w", err)
	}
	return created, updated, nil
}

// MarkGone flags the devices with a GenieACS id that a complete full pass
// started at startedAt did not find (sync_seen), and that existed before
// it began; it returns how many.
func MarkGone(ctx context.Context, exec db.Executor, startedAt time.Time) (int64, error) {
	tag, err := exec.Exec(ctx, `UPDATE cpe_devices d SET genieacs_deleted_at = now(), updated_at = now()
		WHERE d.genieacs_id IS NOT NULL AND d.genieacs_deleted_at IS NULL
			AND COALESCE(d.first_contact_at, d.created_at) < $1
			AND NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.genieacs_id = d.genieacs_id)`, startedAt)
	if err != nil {
		return 0, fmt.Errorf("mark devices gone: %w", err)
	}
	return tag.RowsAffected(), nil
}

// OnlineChange is one owned device whose online state JudgeOnline changed.
type OnlineChange struct {
	ID, Org      uuid.UUID
	Serial       string
	Old, New     string     // "", online, offline
	Prev         *time.Time // when the state changed before
	LastInformAt *time.Time
}

// JudgeOnline sets every owned device's online state from its last inform
// (online within window) and returns the devices whose state changed.
func JudgeOnline(ctx context.Context, tx pgx.Tx, window time.Duration) ([]OnlineChange, error) {
	rows, err := tx.Query(ctx, `
			WITH judged AS (
				SELECT id, online_state AS old, online_changed_at AS prev,
					CASE WHEN last_inform_at > now() - $1::interval THEN 'online' ELSE 'offline' END AS new
				FROM cpe_devices WHERE org_id IS NOT NULL AND last_inform_at IS NOT NULL
			)
			UPDATE cpe_devices d SET online_state = j.new, online_changed_at = now()
			FROM judged j WHERE d.id = j.id AND j.old <> j.new
			RETURNING d.id, d.org_id, d.serial_norm, j.old, j.new, j.prev, d.last_inform_at`, window.String())
	if err != nil {
		return nil, fmt.Errorf("judge online: %w", err)
	}
	defer rows.Close()
	var out []OnlineChange
	for rows.Next() {
		var c OnlineChange
		if err := rows.Scan(&c.ID, &c.Org, &c.Serial, &c.Old, &c.New, &c.Prev, &c.LastInformAt); err != nil {
			return nil, fmt.Errorf("judge online: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
