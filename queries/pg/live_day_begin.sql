-- The first live refresh of day $1 marks it and stores its churn candidates: the senders of
-- the day 30 days back ($2, $3) who did not send again before $4, the day's start. Later
-- refreshes of the day find the mark and read nothing here.
--   $1 the day (date)   $2, $3 the bounds of the day 30 days earlier   $4 the day's start
--   $5 the time of computation
WITH marked AS (
    INSERT INTO live_days (day, built_at) VALUES ($1, $5)
    ON CONFLICT (day) DO NOTHING
    RETURNING day
)
INSERT INTO live_day_churn_candidates (day, sender_id)
SELECT $1::date, s.sender_id
FROM (SELECT DISTINCT sender_id FROM transactions WHERE created_at >= $2 AND created_at < $3) s
WHERE EXISTS (SELECT 1 FROM marked)
  AND NOT EXISTS (
      SELECT 1 FROM transactions t
      WHERE t.sender_id = s.sender_id AND t.created_at >= $3 AND t.created_at < $4)
