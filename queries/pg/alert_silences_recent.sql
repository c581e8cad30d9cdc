-- The silences of rules not deleted that are in force at $1, to come, or ended in the week
-- before it, ending last first.
SELECT s.id, s.rule_id, r.name, s.reason, s.starts_at, s.ends_at, s.created_by, s.ended_at, coalesce(s.ended_by, '')
FROM alert_silences s
JOIN alert_rules r ON r.id = s.rule_id AND r.deleted_at IS NULL
WHERE coalesce(s.ended_at, s.ends_at) > $1::timestamptz - interval '7 days'
ORDER BY (s.ended_at IS NULL AND s.ends_at > $1::timestamptz) DESC, coalesce(s.ended_at, s.ends_at) DESC, s.id DESC
