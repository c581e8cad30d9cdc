-- A new alert rule, in state ok from its creation ($10). No row comes back when a rule not
-- deleted already has the name in any letter case (the unique index decides, also between two
-- creations at the same moment).
INSERT INTO alert_rules (name, template, bank_code, threshold, window_minutes, for_minutes, min_attempts,
                         webhook_url, email_to, created_at, created_by, state, state_since)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ok', $10)
ON CONFLICT ((lower(name))) WHERE deleted_at IS NULL DO NOTHING
RETURNING id
