-- +goose Up
-- An organization's optical power thresholds for its GPON ONTs (dBm): a
-- received level below weak is weak, below critical critical, above
-- overload an overload. Defaults suit GPON class B+ optics.
ALTER TABLE organizations
    ADD COLUMN optical_weak_dbm numeric(5,2) NOT NULL DEFAULT -27,
    ADD COLUMN optical_critical_dbm numeric(5,2) NOT NULL DEFAULT -30,
    ADD COLUMN optical_overload_dbm numeric(5,2) NOT NULL DEFAULT -8,
    ADD CONSTRAINT organizations_optical_order CHECK (optical_critical_dbm < optical_weak_dbm AND optical_weak_dbm < optical_overload_dbm);

-- +goose Down
ALTER TABLE organizations DROP CONSTRAINT organizations_optical_order,
    DROP COLUMN optical_overload_dbm, DROP COLUMN optical_critical_dbm, DROP COLUMN optical_weak_dbm;
