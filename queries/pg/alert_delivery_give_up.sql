-- Notification $1 failed at $2 with error $3, a day after it was made: no more attempts.
UPDATE alert_deliveries
SET last_attempt_at = $2, attempts = attempts + 1, last_error = $3, failed_at = $2, claimed_until = NULL
WHERE id = $1
