-- The growth_daily rows of the SAST signup days [$1, $2], every signup source, oldest first.
-- Rates are computed from these counts in Go, once the caller knows which days have passed
-- (catalogue/growth.go); a source filter picks its rows there, so every growth metric over the
-- same range shares this one read.
SELECT signup_day, signup_source, signups, activated, d1_active, d7_active, d30_active
FROM growth_daily
WHERE signup_day BETWEEN $1::date AND $2::date
ORDER BY signup_day, signup_source
