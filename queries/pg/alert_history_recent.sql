-- The newest $1 changes of state of every alert rule (deleted ones too), newest first.
SELECT h.at, h.rule_id, r.name, r.deleted_at IS NOT NULL, h.from_state, h.to_state, h.value, h.detail, h.silenced
FROM alert_history h
JOIN alert_rules r ON r.id = h.rule_id
ORDER BY h.at DESC, h.id DESC
LIMIT $1
