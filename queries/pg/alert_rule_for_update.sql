-- Alert rule $1 with its state (the columns alerts.scanRule reads), locked for a change of
-- state; no row when it does not exist or was deleted.
SELECT r.id, r.name, r.template, coalesce(r.bank_code, ''), r.threshold, r.window_minutes, r.for_minutes, r.min_attempts,
       r.webhook_url, r.email_to, r.created_at, r.created_by,
       r.state, r.state_since, r.firing_since, r.resolved_at, r.clear_since, r.announced,
       r.last_evaluated_at, coalesce(r.last_outcome, ''), r.last_value, r.last_detail
FROM alert_rules r
WHERE r.id = $1 AND r.deleted_at IS NULL
FOR UPDATE
