-- +goose Up
-- The Integration page's evidence.
--
-- identify_calls: identify callbacks per minute and outcome (assigned,
-- claimed, pending, refused, wrong_key), written by each process at most
-- once a second (a boot storm of a national fleet is not a write per call).
-- It tells when GenieACS's ext script last got an answer and how often it
-- was refused for a wrong key. Housekeeping keeps a week.
CREATE TABLE identify_calls (
    minute  timestamptz NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('assigned', 'claimed', 'pending', 'refused', 'wrong_key')),
    calls   bigint NOT NULL CHECK (calls > 0),
    last_at timestamptz NOT NULL,
    PRIMARY KEY (minute, outcome)
);

-- Connection requests: the last one GenieACS could not get through to the
-- device (and why), and the last one it did; for the device checklist.
ALTER TABLE cpe_devices
    ADD COLUMN wake_failed_at timestamptz,
    ADD COLUMN wake_error text NOT NULL DEFAULT '',
    ADD COLUMN wake_ok_at timestamptz;

-- +goose Down
ALTER TABLE cpe_devices DROP COLUMN wake_ok_at, DROP COLUMN wake_error, DROP COLUMN wake_failed_at;
DROP TABLE identify_calls;
