-- +goose Up
-- CPE inventory and the subscriber data identify answers from. Pages and
-- APIs for plans and subscribers arrive with the devices issue; the identify
-- path (GenieACS BOOTSTRAP) needs the tables now.

CREATE TABLE plans (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- GenieACS group name, used in the device tag plan:<group>.
    genieacs_group text NOT NULL CHECK (genieacs_group ~ '^[A-Za-z0-9_:-]{1,64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

CREATE TABLE subscribers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    username   text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    name       text NOT NULL DEFAULT '',
    phone      text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, username)
);

-- One subscription per subscriber: the plan and the PPPoE credentials. The
-- password is AES-256-GCM sealed (internal/secret), bound to the row id.
CREATE TABLE subscriptions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subscriber_id      uuid NOT NULL UNIQUE REFERENCES subscribers (id) ON DELETE CASCADE,
    plan_id            uuid REFERENCES plans (id) ON DELETE SET NULL,
    pppoe_username     text NOT NULL DEFAULT '',
    pppoe_password_enc bytea,
    pppoe_key_id       text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- A CPE. org_id NULL = pending (seen by GenieACS, claimed by nobody yet).
-- serial_norm is the label form (Huawei's hex 48575443... becomes HWTC...),
-- so both forms find the same device.
CREATE TABLE cpe_devices (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid REFERENCES organizations (id) ON DELETE SET NULL,
    subscriber_id      uuid REFERENCES subscribers (id) ON DELETE SET NULL,
    serial             text NOT NULL,
    -- "C" collation: byte order, so prefix searches (LIKE 'HWTC12%') and
    -- ordering use the index whatever the database's default collation.
    serial_norm        text COLLATE "C" NOT NULL UNIQUE,
    oui                text NOT NULL DEFAULT '',
    product_class      text NOT NULL DEFAULT '',
    manufacturer       text NOT NULL DEFAULT '',
    genieacs_id        text UNIQUE,
    data_model         text NOT NULL DEFAULT '' CHECK (data_model IN ('', 'TR-098', 'TR-181')),
    software_version   text NOT NULL DEFAULT '',
    first_contact_at   timestamptz,
    last_inform_at     timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 90);
-- Sync rewrites last_inform_at on every run: no index may cover it or
-- updated_at, and pages keep room, so those updates stay HOT.
CREATE INDEX cpe_devices_pending_idx ON cpe_devices (created_at DESC, id) WHERE org_id IS NULL;
CREATE INDEX cpe_devices_org_idx ON cpe_devices (org_id, serial_norm);
CREATE INDEX cpe_devices_subscriber_idx ON cpe_devices (subscriber_id) WHERE subscriber_id IS NOT NULL;

-- When each device last identified itself (GenieACS BOOTSTRAP). Kept out of
-- cpe_devices: identify writes it in batches for thousands of devices at a
-- time, and narrow rows with only a primary key update in place (HOT)
-- instead of touching the wide table's indexes.
CREATE TABLE cpe_contacts (
    device_id          uuid PRIMARY KEY REFERENCES cpe_devices (id) ON DELETE CASCADE,
    last_identified_at timestamptz NOT NULL
) WITH (fillfactor = 50);

-- Desired Wi-Fi per device and band, answered by identify so a reset device
-- re-provisions itself. Passwords sealed like PPPoE's.
CREATE TABLE cpe_wifi (
    device_id    uuid NOT NULL REFERENCES cpe_devices (id) ON DELETE CASCADE,
    band         text NOT NULL CHECK (band IN ('2.4GHz', '5GHz')),
    ssid         text NOT NULL CHECK (length(ssid) BETWEEN 1 AND 32),
    password_enc bytea NOT NULL,
    key_id       text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, band)
);

-- Small facts the System page shows (last GenieACS bootstrap, ...).
CREATE TABLE system_state (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE system_state;
DROP TABLE cpe_wifi;
DROP TABLE cpe_contacts;
DROP TABLE cpe_devices;
DROP TABLE subscriptions;
DROP TABLE subscribers;
DROP TABLE plans;
