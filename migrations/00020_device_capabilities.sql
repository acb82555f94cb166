-- +goose Up
-- What each device can do, judged by the sync from its tree as GenieACS
-- holds it (datamodel.DeriveCaps): {"pppoe": true, "hosts": false, ...},
-- one key per capability the device has, true when its node is writable.
-- NULL: not known yet (GenieACS has not discovered the device's objects).
ALTER TABLE cpe_devices ADD COLUMN capabilities jsonb;

-- +goose Down
ALTER TABLE cpe_devices DROP COLUMN capabilities;
