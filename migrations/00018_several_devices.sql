-- +goose Up
-- Plans that allow several devices per subscriber (a business with two
-- lines, a home with a second ONT). Every device dials with its own PPPoE
-- login: the first uses the subscription's, each further one its own line
-- login kept on the device (the password sealed, bound to the device id).
-- PPPoE usernames stay unique per organization without case across both
-- (checked under one advisory lock per organization, see internal/cpe).
ALTER TABLE plans ADD COLUMN several_devices boolean NOT NULL DEFAULT false;
ALTER TABLE cpe_devices
    ADD COLUMN line_username text NOT NULL DEFAULT '' CHECK (length(line_username) <= 128),
    ADD COLUMN line_password_enc bytea,
    ADD COLUMN line_key_id text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX cpe_devices_org_line_username_ci ON cpe_devices (org_id, lower(line_username))
    WHERE line_username <> '';

-- +goose Down
DROP INDEX cpe_devices_org_line_username_ci;
ALTER TABLE cpe_devices DROP COLUMN line_key_id, DROP COLUMN line_password_enc, DROP COLUMN line_username;
ALTER TABLE plans DROP COLUMN several_devices;
