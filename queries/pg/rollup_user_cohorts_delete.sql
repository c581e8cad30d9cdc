-- Clears one activity month of user_cohorts before it is recomputed ($1 = first day).
DELETE FROM user_cohorts WHERE activity_month = $1
