-- +goose Up
-- GenieACS faults as the fault poll sees them, matched to devices. A fault
-- is keyed by GenieACS's own id "<deviceId>:<channel>": when it comes back
-- after being resolved, its row becomes active again.
CREATE TABLE cpe_faults (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    genieacs_id        text NOT NULL UNIQUE,
    -- NULL while the device is unknown or pending (no organization sees it).
    org_id             uuid REFERENCES organizations (id) ON DELETE CASCADE,
    device_id          uuid REFERENCES cpe_devices (id) ON DELETE SET NULL,
    genieacs_device_id text NOT NULL,
    serial             text NOT NULL DEFAULT '',
    product_class      text NOT NULL DEFAULT '',
    channel            text NOT NULL,
    code               text NOT NULL,
    message            text NOT NULL DEFAULT '',
    detail             jsonb,
    retries            integer NOT NULL DEFAULT 0,
    -- active: in GenieACS now; resolved: gone from GenieACS by itself;
    -- cleared: deleted in GenieACS by staff (cleared_by).
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resolved', 'cleared')),
    raised_at          timestamptz NOT NULL,
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    cleared_by         text NOT NULL DEFAULT ''
);
CREATE INDEX cpe_faults_org_idx ON cpe_faults (org_id, status, raised_at DESC, id DESC);
CREATE INDEX cpe_faults_org_code_idx ON cpe_faults (org_id, code, product_class) WHERE status = 'active';
CREATE INDEX cpe_faults_device_idx ON cpe_faults (device_id, raised_at DESC);

-- +goose Down
DROP TABLE cpe_faults;
