-- +goose Up
-- An organization's own provision scripts, stored in GenieACS as
-- "<slug>-<name>" (stored_name, unique across organizations: a name that
-- would land in another organization's namespace is refused), with every
-- saved version kept for history and revert.
CREATE TABLE org_provisions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         text NOT NULL,
    stored_name  text NOT NULL UNIQUE,
    version      integer NOT NULL,          -- the version GenieACS runs
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text NOT NULL,
    -- The binding: a preset of the same name in GenieACS while enabled,
    -- on these events, for the organization's devices (of model, if set).
    bound        boolean NOT NULL DEFAULT false,
    events       text[] NOT NULL DEFAULT '{}',
    weight       integer NOT NULL DEFAULT 0,
    model        text NOT NULL DEFAULT '',
    UNIQUE (org_id, name)
);
CREATE TABLE org_provision_versions (
    provision_id uuid NOT NULL REFERENCES org_provisions (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    script       text NOT NULL,
    author       text NOT NULL,
    note         text NOT NULL DEFAULT '',   -- e.g. "revert to version 2"
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provision_id, version)
);

-- +goose Down
DROP TABLE org_provision_versions;
DROP TABLE org_provisions;
