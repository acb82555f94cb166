-- +goose Up
-- A subscriber's device tag is sub:<username> with every character outside
-- [A-Za-z0-9_:-] mapped to '_' (cpe.TagSafe): alice.w and alice_w would
-- share sub:alice_w. The subscriber service refuses a username whose tag
-- another subscriber of the organization already has; this index makes
-- that lookup one probe. It is not UNIQUE so that organizations that
-- already hold such a pair still migrate (they keep working as before).
CREATE INDEX subscribers_tag_idx ON subscribers (org_id, regexp_replace(username, '[^A-Za-z0-9_:-]', '_', 'g'));

-- +goose Down
DROP INDEX subscribers_tag_idx;
