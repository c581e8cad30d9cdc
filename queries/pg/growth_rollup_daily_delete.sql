-- Removes the growth_daily rows of the signup days [$1, $2] and $3 that no longer have any
-- growth_users row (every sign-up of that day and source was removed); the upsert that follows
-- rewrites the others when they changed.
DELETE FROM growth_daily d
WHERE (d.signup_day BETWEEN $1::date AND $2::date OR d.signup_day = $3::date)
  AND NOT EXISTS (
      SELECT 1 FROM growth_users g
      WHERE g.signup_day = d.signup_day AND g.signup_source = d.signup_source)
