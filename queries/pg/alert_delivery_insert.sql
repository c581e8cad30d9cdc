-- A notification waiting to be sent, due at once (at its creation, $7).
INSERT INTO alert_deliveries (rule_id, kind, channel, target, subject, body, created_at, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
