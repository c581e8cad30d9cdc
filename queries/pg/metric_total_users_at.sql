-- Total users at the end of each SAST day of the array $1, in its order: total_users of the
-- latest rollup row on or before the day (cumulative, so an earlier row is right for a day
-- without one), 0 when no user had signed up by then.
SELECT d.day::date,
       coalesce((SELECT m.total_users FROM daily_metrics m WHERE m.date <= d.day ORDER BY m.date DESC LIMIT 1), 0)
FROM unnest($1::date[]) WITH ORDINALITY AS d(day, n)
ORDER BY d.n
