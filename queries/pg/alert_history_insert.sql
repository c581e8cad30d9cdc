-- One change of an alert rule's state.
INSERT INTO alert_history (rule_id, at, from_state, to_state, value, detail, silenced)
VALUES ($1, $2, $3, $4, $5, $6, $7)
