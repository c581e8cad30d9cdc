-- Every alert rule not deleted, with its state (the columns alerts.scanRule reads): firing
-- first, then pending, then by name; each with the silence active at $1, if any.
SELECT r.id, r.name, r.template, coalesce(r.bank_code, ''), r.threshold, r.window_minutes, r.for_minutes, r.min_attempts,
       r.webhook_url, r.email_to, r.created_at, r.created_by,
       r.state, r.state_since, r.firing_since, r.resolved_at, r.clear_since, r.announced,
       r.last_evaluated_at, coalesce(r.last_outcome, ''), r.last_value, r.last_detail,
       s.id, s.reason, s.ends_at
FROM alert_rules r
LEFT JOIN LATERAL (
    SELECT id, reason, ends_at FROM alert_silences
    WHERE rule_id = r.id AND ended_at IS NULL AND starts_at <= $1 AND ends_at > $1
    ORDER BY ends_at DESC LIMIT 1
) s ON true
WHERE r.deleted_at IS NULL
ORDER BY CASE r.state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, lower(r.name), r.id
