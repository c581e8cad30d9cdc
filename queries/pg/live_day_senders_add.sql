-- Adds day $1's senders not yet kept, each with whether they sent earlier in the month and in
-- the month before: one probe of transactions_sender_idx per new sender (two when the first
-- finds nothing), so a refresh costs the senders new since the last one.
--   $1 the day (date)   $2 its start   $3 its end (exclusive)
--   $4 its month's start   $5 the previous month's start
INSERT INTO live_day_senders (day, sender_id, earlier_this_month, previous_month)
SELECT $1::date, s.sender_id, e.seen, NOT e.seen AND EXISTS (
           SELECT 1 FROM transactions p
           WHERE p.sender_id = s.sender_id AND p.created_at >= $5 AND p.created_at < $4)
FROM (SELECT DISTINCT sender_id FROM transactions WHERE created_at >= $2 AND created_at < $3) s
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT 1 FROM transactions e
        WHERE e.sender_id = s.sender_id AND e.created_at >= $4 AND e.created_at < $2) AS seen
) e
WHERE NOT EXISTS (SELECT 1 FROM live_day_senders k WHERE k.day = $1 AND k.sender_id = s.sender_id)
ON CONFLICT (day, sender_id) DO NOTHING
