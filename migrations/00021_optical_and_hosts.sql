-- +goose Up
-- A GPON ONT's optical levels as the sync last read them (dBm), the
-- received level judged against its organization's thresholds, and since
-- when it has been so: crossing a threshold raises cpe.optical_alarm (and
-- coming back cpe.optical_alarm_cleared).
ALTER TABLE cpe_devices
    ADD COLUMN optical_rx_dbm real,
    ADD COLUMN optical_tx_dbm real,
    ADD COLUMN optical_level text CHECK (optical_level IN ('good', 'weak', 'critical', 'overload')),
    ADD COLUMN optical_level_at timestamptz;
-- The devices in alarm, per organization, weakest first (the dashboard's
-- count, the fault board's Signal group, GET /cpe/optical).
CREATE INDEX cpe_devices_optical_alarm_idx ON cpe_devices (org_id, optical_rx_dbm, id)
    WHERE optical_level IN ('weak', 'critical', 'overload');

-- The health series gains the optical levels and the LAN host count.
ALTER TABLE cpe_metrics
    ADD COLUMN optical_rx_dbm real,
    ADD COLUMN optical_tx_dbm real,
    ADD COLUMN hosts integer;

-- +goose Down
ALTER TABLE cpe_metrics DROP COLUMN hosts, DROP COLUMN optical_tx_dbm, DROP COLUMN optical_rx_dbm;
DROP INDEX cpe_devices_optical_alarm_idx;
ALTER TABLE cpe_devices DROP COLUMN optical_level_at, DROP COLUMN optical_level, DROP COLUMN optical_tx_dbm, DROP COLUMN optical_rx_dbm;
