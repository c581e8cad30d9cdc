-- Notification $1 was accepted at $2.
UPDATE alert_deliveries
SET delivered_at = $2, last_attempt_at = $2, attempts = attempts + 1, last_error = '', claimed_until = NULL
WHERE id = $1
