-- +goose Up
-- superseded: a write the device did not keep because a later task
-- changed the same parameter (not a failure of this one).
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_status_check,
    ADD CONSTRAINT cpe_tasks_status_check
    CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'expired', 'cancelled', 'superseded'));

-- +goose Down
UPDATE cpe_tasks SET status = 'failed' WHERE status = 'superseded';
ALTER TABLE cpe_tasks DROP CONSTRAINT cpe_tasks_status_check,
    ADD CONSTRAINT cpe_tasks_status_check
    CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'expired', 'cancelled'));
