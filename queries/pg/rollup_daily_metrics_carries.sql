-- The daily_metrics rows of the days [$1, $2) that a later day's running totals may continue
-- from, newest first, with when each was computed (NULL: before that was recorded).
SELECT date, computed_at, total_users, mtd_active_users, mtd_retained_users
FROM daily_metrics
WHERE date >= $1 AND date < $2
ORDER BY date DESC
