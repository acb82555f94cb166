-- +goose Up
-- Device counts kept up to date as cpe_devices changes, so the dashboard
-- reads a few thousand rows instead of counting an organization's whole
-- fleet (a grouped pass over 100,000 devices costs 40-60 ms here, over a
-- million half a second).
--
-- A row is a number of devices (possibly negative: a change) of one
-- organization, firmware version and model whose last inform falls in
-- [inform_from, inform_until): a UTC minute as written by the triggers, a
-- UTC hour or day once compacted; both NULL for devices that never informed. The
-- figures are the sums per key. Writers only append (statement triggers,
-- one grouped insert per statement), so concurrent writes never wait on
-- each other; compaction (internal/dashboard.Compact, after every sync
-- pass) replaces the rows by their sums in one statement and folds minutes
-- past the online threshold into hours, and those long past the stale
-- threshold into days.
CREATE TABLE cpe_fleet_counts (
    org_id           uuid NOT NULL,
    software_version text NOT NULL,
    product_class    text NOT NULL,
    inform_from      timestamptz,
    inform_until     timestamptz,
    devices          integer NOT NULL
);
CREATE INDEX cpe_fleet_counts_org_idx ON cpe_fleet_counts (org_id);

-- One function for the three statement triggers: each branch names only
-- the transition tables its event has (PL/pgSQL plans a statement when it
-- first runs it).
-- +goose StatementBegin
CREATE FUNCTION cpe_fleet_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
        SELECT org_id, software_version, product_class, minute, minute + interval '1 minute', count(*)
        FROM (SELECT org_id, software_version, product_class, date_trunc('minute', last_inform_at, 'UTC') AS minute
            FROM new_rows WHERE org_id IS NOT NULL) added
        GROUP BY org_id, software_version, product_class, minute;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
        SELECT org_id, software_version, product_class, minute, minute + interval '1 minute', -count(*)
        FROM (SELECT org_id, software_version, product_class, date_trunc('minute', last_inform_at, 'UTC') AS minute
            FROM old_rows WHERE org_id IS NOT NULL) removed
        GROUP BY org_id, software_version, product_class, minute;
    ELSIF TG_OP = 'UPDATE' THEN
        -- A device whose counted columns did not change cancels out.
        INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
        SELECT org_id, software_version, product_class, minute, minute + interval '1 minute', sum(d)
        FROM (
            SELECT org_id, software_version, product_class, date_trunc('minute', last_inform_at, 'UTC') AS minute, -1 AS d
            FROM old_rows WHERE org_id IS NOT NULL
            UNION ALL
            SELECT org_id, software_version, product_class, date_trunc('minute', last_inform_at, 'UTC'), 1
            FROM new_rows WHERE org_id IS NOT NULL
        ) changed
        GROUP BY org_id, software_version, product_class, minute
        HAVING sum(d) <> 0;
    ELSE -- TRUNCATE
        DELETE FROM cpe_fleet_counts;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER cpe_fleet_counts_insert AFTER INSERT ON cpe_devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cpe_fleet_counts_track();
CREATE TRIGGER cpe_fleet_counts_update AFTER UPDATE ON cpe_devices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cpe_fleet_counts_track();
CREATE TRIGGER cpe_fleet_counts_delete AFTER DELETE ON cpe_devices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cpe_fleet_counts_track();
CREATE TRIGGER cpe_fleet_counts_truncate AFTER TRUNCATE ON cpe_devices
    FOR EACH STATEMENT EXECUTE FUNCTION cpe_fleet_counts_track();

-- The devices already there (the triggers' lock on cpe_devices is held
-- until this migration commits, so none is missed or counted twice).
INSERT INTO cpe_fleet_counts (org_id, software_version, product_class, inform_from, inform_until, devices)
SELECT org_id, software_version, product_class, minute, minute + interval '1 minute', count(*)
FROM (SELECT org_id, software_version, product_class, date_trunc('minute', last_inform_at, 'UTC') AS minute
    FROM cpe_devices WHERE org_id IS NOT NULL) existing
GROUP BY org_id, software_version, product_class, minute;

-- +goose Down
DROP TRIGGER cpe_fleet_counts_truncate ON cpe_devices;
DROP TRIGGER cpe_fleet_counts_delete ON cpe_devices;
DROP TRIGGER cpe_fleet_counts_update ON cpe_devices;
DROP TRIGGER cpe_fleet_counts_insert ON cpe_devices;
DROP FUNCTION cpe_fleet_counts_track();
DROP TABLE cpe_fleet_counts;
