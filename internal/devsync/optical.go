package devsync

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/outbox"
)

// judgeOptical judges the received optical level of the batch's owned
// devices against their organization's thresholds (OpticalLevelSQL)
// and writes an event per change: cpe.optical_alarm when the level becomes
// weak, critical or overload (or moves between them),
// cpe.optical_alarm_cleared when it is good again. A first judgement of
// good is quiet. It returns the events written.
func judgeOptical(ctx context.Context, tx pgx.Tx, jobs outbox.JobInserter) (int, error) {
	rows, err := tx.Query(ctx, `
		WITH judged AS (
			SELECT d.id, d.optical_level AS old, `+OpticalLevelSQL("d.optical_rx_dbm", "o")+` AS new
			FROM sync_stage s JOIN cpe_devices d ON d.genieacs_id = s.genieacs_id JOIN organizations o ON o.id = d.org_id
			WHERE s.optical_rx_dbm IS NOT NULL
		)
		UPDATE cpe_devices d SET optical_level = j.new, optical_level_at = now()
		FROM judged j WHERE d.id = j.id AND j.old IS DISTINCT FROM j.new
		RETURNING d.id, d.org_id, d.serial_norm, COALESCE(j.old, ''), j.new, d.optical_rx_dbm`)
	if err != nil {
		return 0, fmt.Errorf("judge optical levels: %w", err)
	}
	type change struct {
		id, org    uuid.UUID
		serial     string
		old, level string
		rx         float32
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.org, &c.serial, &c.old, &c.level, &c.rx); err != nil {
			rows.Close()
			return 0, err
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("judge optical levels: %w", err)
	}
	events := 0
	now := time.Now().UTC()
	for _, c := range changes {
		topic := outbox.TopicOpticalAlarm
		if c.level == "good" {
			if c.old == "" {
				continue // the first reading, good: nothing happened
			}
			topic = outbox.TopicOpticalCleared
		}
		payload := map[string]any{"deviceId": c.id, "serial": c.serial, "level": c.level, "rxDbm": c.rx, "at": now}
		if c.old != "" {
			payload["previousLevel"] = c.old
		}
		if _, err := outbox.Write(ctx, tx, jobs, c.org, topic, payload); err != nil {
			return 0, err
		}
		events++
	}
	return events, nil
}

// OpticalLevelSQL judges the received level rx (dBm, an SQL expression)
// against the
// organization row o's thresholds, as action.OpticalThresholds.Level does
// (a test holds them to the same answers).
func OpticalLevelSQL(rx, o string) string {
	return `CASE WHEN ` + rx + ` > ` + o + `.optical_overload_dbm THEN 'overload'
		WHEN ` + rx + ` >= ` + o + `.optical_weak_dbm THEN 'good'
		WHEN ` + rx + ` >= ` + o + `.optical_critical_dbm THEN 'weak'
		ELSE 'critical' END`
}
