-- Claims up to $3 notifications due at $1 for $2 milliseconds: another deliverer skips them
-- until the claim ends (and takes them over if this one stopped before finishing them).
UPDATE alert_deliveries d
SET claimed_until = $1::timestamptz + $2::bigint * interval '1 millisecond'
WHERE d.id IN (
    SELECT id FROM alert_deliveries
    WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
      AND (claimed_until IS NULL OR claimed_until <= $1)
    ORDER BY next_attempt_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id, d.rule_id, d.kind, d.channel, d.target, d.subject, d.body, d.created_at, d.attempts
