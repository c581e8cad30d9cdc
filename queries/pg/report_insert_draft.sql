-- A new draft of month $1, numbered one past the month's latest version, starting from the
-- narrative of the month's latest published version (empty when there is none). Two
-- concurrent starts collide on UNIQUE (month, version) or the one-draft index; the caller
-- then opens the draft that won.
INSERT INTO investor_reports (month, version, status, milestones, challenges, next_month_goals,
                              created_by, created_by_email, updated_by, updated_by_email,
                              created_at, updated_at)
SELECT $1::date,
       coalesce((SELECT max(version) FROM investor_reports WHERE month = $1::date), 0) + 1,
       'draft',
       coalesce(p.milestones, ''), coalesce(p.challenges, ''), coalesce(p.next_month_goals, ''),
       $2, $3, $2, $3, $4, $4
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT milestones, challenges, next_month_goals
    FROM investor_reports
    WHERE month = $1::date AND status = 'published'
    ORDER BY version DESC
    LIMIT 1
) p ON true
RETURNING id, version
