-- +goose Up
-- The foundation listed the fault topic as cpe.fault; faults are delivered
-- as fault.raised (and fault.resolved). An endpoint subscribed under the
-- old name would never receive them: it now holds the new one.
UPDATE webhook_endpoints
SET topics = ARRAY(SELECT DISTINCT t FROM unnest(array_replace(topics, 'cpe.fault', 'fault.raised')) AS t ORDER BY t),
    updated_at = now()
WHERE 'cpe.fault' = ANY (topics);

-- +goose Down
SELECT 1;
