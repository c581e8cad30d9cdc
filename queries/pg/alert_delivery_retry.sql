-- Notification $1 failed at $2 with error $3; it is tried again at $4.
UPDATE alert_deliveries
SET last_attempt_at = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = $4, claimed_until = NULL
WHERE id = $1
