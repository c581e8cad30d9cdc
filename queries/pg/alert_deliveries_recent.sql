-- The newest $1 notifications, newest first, with their rule's name.
SELECT d.id, d.rule_id, r.name, d.kind, d.channel, d.target, d.created_at, d.attempts, d.last_attempt_at,
       d.last_error, d.next_attempt_at, d.delivered_at, d.failed_at
FROM alert_deliveries d
JOIN alert_rules r ON r.id = d.rule_id
ORDER BY d.created_at DESC, d.id DESC
LIMIT $1
