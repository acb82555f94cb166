-- +goose Up
-- Device list, inventory and subscriber assignment.

ALTER TABLE cpe_devices
    -- What GenieACS last told us (identify, the push job, later the sync).
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    -- Desired-state push to the device (PPPoE + tags after an assignment):
    -- '' none asked, pending (queued or waiting for the device), done, failed.
    ADD COLUMN push_state text NOT NULL DEFAULT '' CHECK (push_state IN ('', 'pending', 'done', 'failed')),
    ADD COLUMN push_error text NOT NULL DEFAULT '',
    ADD COLUMN push_task_id text NOT NULL DEFAULT '',
    ADD COLUMN push_requested_at timestamptz,
    ADD COLUMN pushed_at timestamptz,
    -- How the device was first registered: imported (inventory) or
    -- discovered (identify of an unknown device).
    ADD COLUMN source text NOT NULL DEFAULT 'discovered' CHECK (source IN ('discovered', 'inventory'));

-- Listing within an organization: by serial (the default order, and prefix
-- search), by last inform, filtered by model, firmware, push state or tag.
CREATE INDEX cpe_devices_org_inform_idx ON cpe_devices (org_id, last_inform_at DESC NULLS LAST, id);
CREATE INDEX cpe_devices_org_model_idx ON cpe_devices (org_id, product_class, serial_norm);
CREATE INDEX cpe_devices_org_firmware_idx ON cpe_devices (org_id, software_version, serial_norm);
CREATE INDEX cpe_devices_push_idx ON cpe_devices (org_id, serial_norm) WHERE push_state = 'pending';
CREATE INDEX cpe_devices_tags_idx ON cpe_devices USING gin (tags);
-- Organizations have their own model and firmware mixes: without joint
-- statistics the planner multiplies the two selectivities, expects a model
-- another organization owns to be everywhere, and walks the global serial
-- index past every device looking for it.
CREATE STATISTICS cpe_devices_org_model_stats (mcv) ON org_id, product_class FROM cpe_devices;
CREATE STATISTICS cpe_devices_org_firmware_stats (mcv) ON org_id, software_version FROM cpe_devices;

-- CSV inventory imports: the parsed rows between preview and commit.
CREATE TABLE cpe_imports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    filename     text NOT NULL DEFAULT '',
    rows         jsonb NOT NULL,
    valid        integer NOT NULL,
    invalid      integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz
);
CREATE INDEX cpe_imports_org_idx ON cpe_imports (org_id, created_at DESC);

-- Subscriber username prefix search (device list by subscriber).
CREATE INDEX subscribers_org_username_prefix_idx ON subscribers (org_id, username text_pattern_ops);

-- +goose Down
DROP TABLE cpe_imports;
DROP INDEX subscribers_org_username_prefix_idx;
DROP STATISTICS cpe_devices_org_firmware_stats;
DROP STATISTICS cpe_devices_org_model_stats;
DROP INDEX cpe_devices_tags_idx;
DROP INDEX cpe_devices_push_idx;
DROP INDEX cpe_devices_org_firmware_idx;
DROP INDEX cpe_devices_org_model_idx;
DROP INDEX cpe_devices_org_inform_idx;
ALTER TABLE cpe_devices DROP COLUMN source, DROP COLUMN pushed_at, DROP COLUMN push_requested_at,
    DROP COLUMN push_task_id, DROP COLUMN push_error, DROP COLUMN push_state, DROP COLUMN tags;
