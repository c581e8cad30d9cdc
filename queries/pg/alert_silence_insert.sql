-- A silence of alert rule $1 from $3 until $4, for reason $2.
INSERT INTO alert_silences (rule_id, reason, starts_at, ends_at, created_by)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
