-- Every version of the month $1, oldest first.
SELECT id, month, version, status, figures, milestones, challenges, next_month_goals,
       created_by, created_by_email, updated_by, updated_by_email, created_at, updated_at,
       published_at, published_by, published_by_email
FROM investor_reports
WHERE month = $1::date
ORDER BY version
