-- Removes the growth_users rows of the signup days the growth job recomputes ([$1, $2] and $3)
-- whose user no longer signed up on such a day (a corrected created_at): the upsert that follows
-- rewrites the others in place, and only when a value changed.
DELETE FROM growth_users g
WHERE (g.signup_day BETWEEN $1::date AND $2::date OR g.signup_day = $3::date)
  AND NOT EXISTS (
      SELECT 1 FROM users u
      WHERE u.id = g.user_id
        AND ((u.created_at >= $4 AND u.created_at < $5) OR (u.created_at >= $6 AND u.created_at < $7)))
