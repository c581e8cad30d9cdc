-- Month-to-date active users on SAST day $1; no row means the rollup has no such day.
SELECT mtd_active_users FROM daily_metrics WHERE date = $1::date
