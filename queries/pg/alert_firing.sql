-- The alert rules firing, longest first, for the operations banner: each with what it last
-- measured and whether a silence is in force at $1.
SELECT r.id, r.name, coalesce(r.firing_since, r.state_since), r.last_detail,
       EXISTS (SELECT 1 FROM alert_silences s
               WHERE s.rule_id = r.id AND s.ended_at IS NULL AND s.starts_at <= $1 AND s.ends_at > $1)
FROM alert_rules r
WHERE r.deleted_at IS NULL AND r.state = 'firing'
ORDER BY coalesce(r.firing_since, r.state_since), r.id
