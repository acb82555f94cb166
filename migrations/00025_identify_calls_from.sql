-- +goose Up
-- Where the last call of a minute and outcome came from (the client's
-- address as the server judges it, TRUSTED_PROXIES honoured): wrong-key
-- refusals from GenieACS's address mean its key is wrong; from elsewhere,
-- somebody is knocking. An address, never a device or a secret.
ALTER TABLE identify_calls ADD COLUMN last_from text NOT NULL DEFAULT '' CHECK (length(last_from) <= 64);

-- +goose Down
ALTER TABLE identify_calls DROP COLUMN last_from;
