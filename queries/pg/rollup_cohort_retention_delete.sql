-- Clears the cohort_retention cells of one activity month ($1 = its first day).
DELETE FROM cohort_retention
WHERE (cohort_month + make_interval(months => months_since_signup))::date = $1
