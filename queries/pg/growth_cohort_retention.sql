-- The monthly cohort retention cells of the cohort months [$1, $2] (first days), from the
-- cohort_retention rollup: one row per month since sign-up that has begun. A month that has not
-- begun has no row, and the page leaves its cell empty.
SELECT cohort_month, months_since_signup, cohort_size, active_users
FROM cohort_retention
WHERE cohort_month BETWEEN $1::date AND $2::date
ORDER BY cohort_month, months_since_signup
