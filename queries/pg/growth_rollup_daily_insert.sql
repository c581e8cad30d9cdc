-- Sums growth_users per (signup day, source) for the signup days [$1, $2] and $3. Days without
-- sign-ups get no row (readers treat a missing day as zero sign-ups); unchanged rows are not
-- rewritten.
INSERT INTO growth_daily (signup_day, signup_source, signups, activated, d1_active, d7_active, d30_active)
SELECT signup_day, signup_source, count(*), count(activated_at),
       count(*) FILTER (WHERE d1_active), count(*) FILTER (WHERE d7_active),
       count(*) FILTER (WHERE d30_active)
FROM growth_users
WHERE signup_day BETWEEN $1::date AND $2::date OR signup_day = $3::date
GROUP BY signup_day, signup_source
ON CONFLICT (signup_day, signup_source) DO UPDATE SET
    signups = EXCLUDED.signups, activated = EXCLUDED.activated, d1_active = EXCLUDED.d1_active,
    d7_active = EXCLUDED.d7_active, d30_active = EXCLUDED.d30_active
WHERE (growth_daily.signups, growth_daily.activated, growth_daily.d1_active, growth_daily.d7_active, growth_daily.d30_active)
      IS DISTINCT FROM
      (EXCLUDED.signups, EXCLUDED.activated, EXCLUDED.d1_active, EXCLUDED.d7_active, EXCLUDED.d30_active)
