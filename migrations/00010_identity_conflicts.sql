-- +goose Up
-- A claimed or assigned device reported by a CPE whose OUI, product class
-- or GenieACS id differs from the stored one: the report is not applied and
-- answered without secrets until an owner or admin accepts it (a device
-- swap or RMA) or rejects it. One row per device and reported identity.
CREATE TABLE cpe_identity_conflicts (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    device_id            uuid NOT NULL REFERENCES cpe_devices (id) ON DELETE CASCADE,
    status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    reported_serial      text NOT NULL,
    oui                  text NOT NULL,
    product_class        text NOT NULL,
    manufacturer         text NOT NULL,
    genieacs_id          text NOT NULL,
    data_model           text NOT NULL,
    stored_oui           text NOT NULL,
    stored_product_class text NOT NULL,
    stored_genieacs_id   text NOT NULL,
    reports              integer NOT NULL DEFAULT 1,
    opened_at            timestamptz NOT NULL DEFAULT now(),
    last_seen_at         timestamptz NOT NULL DEFAULT now(),
    resolved_at          timestamptz,
    resolved_by          text
);
CREATE UNIQUE INDEX cpe_identity_conflicts_identity_idx ON cpe_identity_conflicts (device_id, oui, product_class, genieacs_id);
CREATE INDEX cpe_identity_conflicts_open_idx ON cpe_identity_conflicts (org_id, opened_at DESC) WHERE status = 'open';

-- +goose Down
DROP TABLE cpe_identity_conflicts;
