-- +goose Up
-- Device sync from GenieACS: what it last told us about each device, the
-- health time series, and the runs (for the Sync page).

ALTER TABLE cpe_devices
    -- Set when a full pass no longer finds the device in GenieACS.
    ADD COLUMN genieacs_deleted_at timestamptz,
    -- Latest health values (the fyberpay-health provision refreshes them
    -- at every periodic inform) and when the device read them.
    ADD COLUMN uptime_s bigint,
    ADD COLUMN cpu_percent real,
    ADD COLUMN memory_free_kib bigint,
    ADD COLUMN wan_bytes_sent bigint,
    ADD COLUMN wan_bytes_received bigint,
    ADD COLUMN wifi_clients integer,
    ADD COLUMN health_at timestamptz,
    -- Online state as last judged, for cpe.online / cpe.offline events.
    ADD COLUMN online_state text NOT NULL DEFAULT '' CHECK (online_state IN ('', 'online', 'offline')),
    ADD COLUMN online_changed_at timestamptz;

-- One health sample per device per sampling interval; kept for the
-- retention period (housekeeping deletes older rows).
CREATE TABLE cpe_metrics (
    device_id          uuid NOT NULL REFERENCES cpe_devices (id) ON DELETE CASCADE,
    at                 timestamptz NOT NULL,
    uptime_s           bigint,
    cpu_percent        real,
    memory_free_kib    bigint,
    wan_bytes_sent     bigint,
    wan_bytes_received bigint,
    wifi_clients       integer,
    PRIMARY KEY (device_id, at)
);
CREATE INDEX cpe_metrics_at_idx ON cpe_metrics (at);

CREATE TABLE sync_runs (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('incremental', 'full')),
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'snoozed')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    -- Documents read, devices created, updated, marked deleted, skipped
    -- (malformed), and metric samples written.
    seen        integer NOT NULL DEFAULT 0,
    created     integer NOT NULL DEFAULT 0,
    updated     integer NOT NULL DEFAULT 0,
    deleted     integer NOT NULL DEFAULT 0,
    skipped     integer NOT NULL DEFAULT 0,
    samples     integer NOT NULL DEFAULT 0,
    -- The reasons documents were skipped, a few examples each.
    skip_reasons jsonb NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT '',
    -- Incremental passes read devices whose _lastInform is after this.
    watermark   timestamptz
);
CREATE INDEX sync_runs_kind_idx ON sync_runs (kind, id DESC);

-- +goose Down
DROP TABLE sync_runs;
DROP TABLE cpe_metrics;
ALTER TABLE cpe_devices
    DROP COLUMN online_changed_at, DROP COLUMN online_state, DROP COLUMN health_at, DROP COLUMN wifi_clients,
    DROP COLUMN wan_bytes_received, DROP COLUMN wan_bytes_sent, DROP COLUMN memory_free_kib, DROP COLUMN cpu_percent,
    DROP COLUMN uptime_s, DROP COLUMN genieacs_deleted_at;
