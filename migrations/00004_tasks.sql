-- +goose Up
-- Actions on devices (Wi-Fi, parameters, reboot, factory reset, diagnostics,
-- refresh, tags) and their truthful status.

-- Bulk actions from the device list: one River job walks the selected
-- devices (or the whole filter) and records one task per device.
CREATE TABLE cpe_bulk_actions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('reboot', 'refresh', 'tag_add', 'tag_remove')),
    tag         text NOT NULL DEFAULT '',
    -- The selection: explicit device ids, or a device-list filter.
    device_ids  uuid[],
    filter      jsonb,
    summary     text NOT NULL,
    actor_label text NOT NULL,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    message     text NOT NULL DEFAULT '',
    total       integer NOT NULL DEFAULT 0,
    processed   integer NOT NULL DEFAULT 0,
    -- Where the walk is: the last serial processed (a restart resumes there).
    cursor      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX cpe_bulk_actions_org_idx ON cpe_bulk_actions (org_id, created_at DESC);

CREATE TABLE cpe_tasks (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    device_id        uuid NOT NULL REFERENCES cpe_devices (id) ON DELETE CASCADE,
    bulk_id          uuid REFERENCES cpe_bulk_actions (id) ON DELETE SET NULL,
    kind             text NOT NULL CHECK (kind IN ('wifi', 'parameters', 'reboot', 'factory_reset', 'speed_test',
                                                   'ping', 'refresh', 'tag_add', 'tag_remove')),
    -- What was asked, for people: never a secret.
    summary          text NOT NULL,
    -- pending: to be sent (or being sent: send_claimed_at is the sender's
    -- lease, so two senders never race); queued: GenieACS holds it for the device;
    -- done: ran and (for writes) read back; failed; expired; cancelled.
    -- running: the device accepted it and is running it (diagnostics).
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'expired', 'cancelled')),
    message          text NOT NULL DEFAULT '',
    fault_code       text NOT NULL DEFAULT '',
    genieacs_task_id text NOT NULL DEFAULT '',
    -- The GenieACS task body, sealed (it may hold a Wi-Fi key), to send it
    -- again on retry when GenieACS no longer has it.
    request_enc      bytea,
    key_id           text NOT NULL DEFAULT '',
    -- What to read back after the task: [{"path","value","secret","await"}].
    checks           jsonb NOT NULL DEFAULT '[]',
    -- Diagnostics results when done (Mbps, replies), for the API and pages.
    result           jsonb,
    send_claimed_at  timestamptz,
    actor_label      text NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX cpe_tasks_org_idx ON cpe_tasks (org_id, created_at DESC, id DESC);
CREATE INDEX cpe_tasks_org_status_idx ON cpe_tasks (org_id, status, created_at DESC, id DESC);
CREATE INDEX cpe_tasks_device_idx ON cpe_tasks (device_id, created_at DESC, id DESC);
CREATE INDEX cpe_tasks_bulk_idx ON cpe_tasks (bulk_id, status) WHERE bulk_id IS NOT NULL;

-- +goose Down
DROP TABLE cpe_tasks;
DROP TABLE cpe_bulk_actions;
