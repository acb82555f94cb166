-- +goose Up
-- A device task may be a TR-143 traceroute.
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_kind_check,
    ADD CONSTRAINT cpe_tasks_kind_check CHECK (kind IN ('wifi', 'parameters', 'reboot', 'factory_reset', 'speed_test',
        'ping', 'traceroute', 'refresh', 'tag_add', 'tag_remove'));

-- +goose Down
DELETE FROM cpe_tasks WHERE kind = 'traceroute';
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_kind_check,
    ADD CONSTRAINT cpe_tasks_kind_check CHECK (kind IN ('wifi', 'parameters', 'reboot', 'factory_reset', 'speed_test',
        'ping', 'refresh', 'tag_add', 'tag_remove'));
