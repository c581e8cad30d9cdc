-- Ends silence $1 of alert rule $2 at $3, when it is still in force then; its reason comes back,
-- no row when there is no such silence in force.
UPDATE alert_silences
SET ended_at = $3, ended_by = $4
WHERE id = $1 AND rule_id = $2 AND ended_at IS NULL AND ends_at > $3
RETURNING reason
