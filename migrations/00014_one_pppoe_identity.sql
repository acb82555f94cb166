-- +goose Up
-- One PPPoE identity per line. Subscriber usernames and PPPoE usernames
-- are unique per organization whatever their case ("Wanjiru" and
-- "wanjiru" are one customer to a BRAS and to support staff), and a
-- device unassigned by a move has its PPPoE login cleared by its next
-- push (pppoe_clear), so two CPEs never dial with one login.
-- Creating the indexes fails if an installation already holds such
-- duplicates: rename one of each pair first (the error names the key).
CREATE UNIQUE INDEX subscribers_org_username_ci ON subscribers (org_id, lower(username));
CREATE UNIQUE INDEX subscriptions_org_pppoe_username_ci ON subscriptions (org_id, lower(pppoe_username))
    WHERE pppoe_username <> '';
ALTER TABLE cpe_devices ADD COLUMN pppoe_clear boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE cpe_devices DROP COLUMN pppoe_clear;
DROP INDEX subscriptions_org_pppoe_username_ci;
DROP INDEX subscribers_org_username_ci;
