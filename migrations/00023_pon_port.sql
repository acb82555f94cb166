-- +goose Up
-- The OLT port (PON) a GPON ONT hangs off, as the ISP records it (an
-- inventory column, the API, the device page): ONTs do not report it in any
-- path known well enough to read, while the OLT's ONT table and the ISP's
-- records know it. A fibre cut shows as many ONTs of one port in optical
-- alarm at once: the fault board and GET /cpe/optical/ports group by it.
ALTER TABLE cpe_devices
    ADD COLUMN pon_port text CHECK (pon_port IS NULL OR (length(pon_port) BETWEEN 1 AND 64 AND pon_port !~ '[[:cntrl:]]'));
CREATE INDEX cpe_devices_pon_port_idx ON cpe_devices (org_id, pon_port) WHERE pon_port IS NOT NULL;

-- +goose Down
DROP INDEX cpe_devices_pon_port_idx;
ALTER TABLE cpe_devices DROP COLUMN pon_port;
