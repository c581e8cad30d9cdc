-- Alert rule $1's state after an evaluation (or a deletion's last notification).
UPDATE alert_rules
SET state = $2, state_since = $3, firing_since = $4, resolved_at = $5, clear_since = $6, announced = $7,
    last_evaluated_at = $8, last_outcome = $9, last_value = $10, last_detail = $11
WHERE id = $1
