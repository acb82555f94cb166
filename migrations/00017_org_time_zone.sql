-- +goose Up
-- The organization's time zone (IANA name, e.g. Africa/Nairobi): pages show
-- times in it, UTC on hover. Empty until chosen: the first sign-in takes the
-- browser's; UTC meanwhile.
ALTER TABLE organizations ADD COLUMN time_zone text NOT NULL DEFAULT '' CHECK (length(time_zone) <= 64);

-- +goose Down
ALTER TABLE organizations DROP COLUMN time_zone;
