-- Every cohort that exists by the end of activity month $1 gets a cell for that month, zero
-- when nobody in it was active: a month that has begun is a real zero, a month that has not
-- begun has no cell at all.
--   $1 activity month (first day)  $2 its end (instant, exclusive)
INSERT INTO cohort_retention (cohort_month, months_since_signup, cohort_size, active_users,
                              transactions, completed_volume)
SELECT c.cohort_month,
       ((extract(year FROM $1::date) - extract(year FROM c.cohort_month)) * 12
        + extract(month FROM $1::date) - extract(month FROM c.cohort_month))::smallint,
       c.size,
       coalesce(a.active, 0),
       coalesce(a.transactions, 0),
       coalesce(a.volume, 0)
FROM (
    SELECT date_trunc('month', created_at AT TIME ZONE 'Africa/Johannesburg')::date AS cohort_month,
           count(*) AS size
    FROM users
    WHERE created_at < $2
    GROUP BY 1
) c
LEFT JOIN (
    SELECT cohort_month, count(*) AS active, sum(transactions) AS transactions,
           sum(completed_volume) AS volume
    FROM user_cohorts
    WHERE activity_month = $1
    GROUP BY cohort_month
) a USING (cohort_month)
WHERE c.cohort_month <= $1::date
