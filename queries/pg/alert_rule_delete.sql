-- Deletes alert rule $1 at $2 (its history, silences and notifications stay, naming it).
UPDATE alert_rules SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL
