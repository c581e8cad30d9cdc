-- The growth_daily rows of the SAST signup days [$1, $2], of one signup source ($3) or of all
-- ($3 NULL), oldest first. Rates are computed from these counts in Go, once the caller knows
-- which days have passed (handlers/growth_metrics.go).
SELECT signup_day, signup_source, signups, activated, d1_active, d7_active, d30_active
FROM growth_daily
WHERE signup_day BETWEEN $1::date AND $2::date
  AND ($3::text IS NULL OR signup_source = $3::text)
ORDER BY signup_day, signup_source
