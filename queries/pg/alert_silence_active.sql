-- Whether alert rule $1 is silenced at $2.
SELECT EXISTS (
    SELECT 1 FROM alert_silences
    WHERE rule_id = $1 AND ended_at IS NULL AND starts_at <= $2 AND ends_at > $2
)
