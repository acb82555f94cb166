-- +goose Up
-- Foundation: tenants, staff, sessions, API keys, audit log, outbox and webhooks.
-- Every tenant-owned row carries org_id; services always filter on it.

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email               text NOT NULL CHECK (email = lower(email)),
    name                text NOT NULL DEFAULT '',
    password_hash       text NOT NULL,
    role                text NOT NULL CHECK (role IN ('owner', 'admin', 'technician', 'viewer')),
    disabled            boolean NOT NULL DEFAULT false,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_org_idx ON users (org_id, email);

-- Server-side sessions. The cookie carries the signed session token; only its
-- SHA-256 is stored, so a database dump cannot be replayed as a login.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    data         jsonb NOT NULL DEFAULT '{}',
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, shared by every replica. One row per key ("email:<addr>" or
-- "ip:<addr>") per window.
CREATE TABLE login_failures (
    key          text PRIMARY KEY,
    failures     integer NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role         text NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    prefix       text NOT NULL UNIQUE,
    key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at DESC);

-- org_id is NULL for installation-level rows (a device no organization owns
-- yet contacting GenieACS); such rows are never listed to an organization.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid REFERENCES organizations (id) ON DELETE CASCADE,
    actor_type  text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'genieacs')),
    actor_id    uuid,
    actor_label text NOT NULL DEFAULT '',
    action      text NOT NULL,
    target_type text NOT NULL DEFAULT '',
    target_id   text NOT NULL DEFAULT '',
    summary     text NOT NULL DEFAULT '',
    ip          text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Listing is newest first on (created_at, id), paged by that pair (keyset), so
-- a date range is an index range too. One index per filter the page offers.
CREATE INDEX audit_log_org_idx ON audit_log (org_id, created_at DESC, id DESC);
CREATE INDEX audit_log_org_action_idx ON audit_log (org_id, action, created_at DESC, id DESC);
CREATE INDEX audit_log_org_actor_idx ON audit_log (org_id, actor_label, created_at DESC, id DESC);
CREATE INDEX audit_log_target_idx ON audit_log (org_id, target_type, target_id, created_at DESC, id DESC);

-- Transactional outbox: written in the same transaction as the change it
-- describes; the id is the stable event id receivers deduplicate on. org_id
-- NULL = an installation-level event (a pending device was discovered): it
-- goes to every organization's endpoints subscribed to its topic, as pending
-- devices are visible to every organization's admins.
CREATE TABLE outbox_events (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid REFERENCES organizations (id) ON DELETE CASCADE,
    topic         text NOT NULL,
    payload       jsonb NOT NULL,
    -- Set for events meant for one endpoint only (a test ping).
    endpoint_id   uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX outbox_events_org_idx ON outbox_events (org_id, created_at DESC);
CREATE INDEX outbox_events_undispatched_idx ON outbox_events (created_at) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_endpoints (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url            text NOT NULL,
    description    text NOT NULL DEFAULT '',
    secret_enc     bytea NOT NULL,
    secret_key_id  text NOT NULL,
    topics         text[] NOT NULL DEFAULT '{}',
    enabled        boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text NOT NULL DEFAULT '',
    next_attempt_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC);
CREATE INDEX webhook_deliveries_org_status_idx ON webhook_deliveries (org_id, status, updated_at);

CREATE TABLE webhook_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    status_code  integer,
    error        text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE outbox_events;
DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organizations;
