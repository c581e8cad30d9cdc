-- Total users at the end of SAST day $1: total_users of the latest rollup row on or before it
-- (total_users is cumulative, so an earlier row is the right value for a day without one).
-- No row at all means no user had signed up: 0.
SELECT coalesce((SELECT total_users FROM daily_metrics
                 WHERE date <= $1::date ORDER BY date DESC LIMIT 1), 0)
