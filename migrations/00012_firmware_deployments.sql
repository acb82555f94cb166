-- +goose Up
-- A staged rollout of one firmware image to an organization's devices of
-- one model: waves (cumulative percentages), a cap on devices between
-- "task sent" and "upgraded/failed", an optional maintenance window and a
-- halt rule. The image's identity is copied so a finished deployment
-- outlives the image's deletion (deletion is refused while one is not
-- finished).
CREATE TABLE firmware_deployments (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    image_id              uuid REFERENCES firmware_images (id) ON DELETE SET NULL,
    filename              text NOT NULL,
    stored_name           text NOT NULL,
    oui                   text NOT NULL,
    product_class         text NOT NULL,
    version               text NOT NULL,
    only_outdated         boolean NOT NULL,
    waves                 integer[] NOT NULL,
    max_in_flight         integer NOT NULL,
    window_days           integer[],            -- NULL: no window (any time)
    window_from           text NOT NULL DEFAULT '',
    window_to             text NOT NULL DEFAULT '',
    window_tz             text NOT NULL DEFAULT '',
    failure_rate_percent  integer NOT NULL,
    min_devices           integer NOT NULL,
    offline_grace_minutes integer NOT NULL,
    state                 text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused', 'halted', 'cancelled', 'completed')),
    halt_reason           text NOT NULL DEFAULT '',
    wave                  integer NOT NULL DEFAULT 0, -- the wave being sent (0-based)
    created_by            text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    finished_at           timestamptz
);
CREATE INDEX firmware_deployments_org_idx ON firmware_deployments (org_id, created_at DESC, id);
CREATE INDEX firmware_deployments_image_idx ON firmware_deployments (image_id) WHERE state IN ('running', 'paused', 'halted');

-- One row per targeted device, in the (random) order it is sent in.
-- waiting → sending (marked before the task is posted: a crash between the
-- two is resolved against GenieACS, never by a second task) → sent (queued
-- in GenieACS) → downloading (the CPE got the Download RPC) → upgraded
-- (it informed with the new version) | failed (a CWMP fault) | offline (it
-- did not come back within the grace). skipped: already on the version,
-- or withdrawn by a cancel.
CREATE TABLE firmware_deployment_devices (
    deployment_id   uuid NOT NULL REFERENCES firmware_deployments (id) ON DELETE CASCADE,
    device_id       uuid NOT NULL REFERENCES cpe_devices (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    wave            integer NOT NULL,
    genieacs_id     text NOT NULL,
    serial          text NOT NULL,
    from_version    text NOT NULL,
    state           text NOT NULL DEFAULT 'waiting'
                    CHECK (state IN ('waiting', 'sending', 'sent', 'downloading', 'upgraded', 'failed', 'offline', 'skipped')),
    task_id         text NOT NULL DEFAULT '',
    detail          text NOT NULL DEFAULT '',   -- the CWMP fault, or why offline or skipped
    sent_at         timestamptz,
    downloading_at  timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (deployment_id, device_id)
);
CREATE INDEX firmware_deployment_devices_state_idx ON firmware_deployment_devices (deployment_id, state, position);

-- +goose Down
DROP TABLE firmware_deployment_devices;
DROP TABLE firmware_deployments;
