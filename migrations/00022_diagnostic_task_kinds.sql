-- +goose Up
-- A device task may be a TR-143 traceroute, a neighbouring Wi-Fi scan or
-- a Wi-Fi channel change.
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_kind_check,
    ADD CONSTRAINT cpe_tasks_kind_check CHECK (kind IN ('wifi', 'parameters', 'reboot', 'factory_reset', 'speed_test',
        'ping', 'traceroute', 'wifi_scan', 'wifi_channel', 'refresh', 'tag_add', 'tag_remove'));

-- +goose Down
DELETE FROM cpe_tasks WHERE kind IN ('traceroute', 'wifi_scan', 'wifi_channel');
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_kind_check,
    ADD CONSTRAINT cpe_tasks_kind_check CHECK (kind IN ('wifi', 'parameters', 'reboot', 'factory_reset', 'speed_test',
        'ping', 'refresh', 'tag_add', 'tag_remove'));
