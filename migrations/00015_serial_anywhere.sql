-- +goose Up
-- Serial search matches anywhere in the serial (support reads the last
-- digits off a label): a trigram index answers LIKE '%…%' without reading
-- the fleet. pg_trgm ships with PostgreSQL and is a trusted extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cpe_devices_serial_trgm ON cpe_devices USING gin (serial_norm gin_trgm_ops);

-- +goose Down
DROP INDEX cpe_devices_serial_trgm;
