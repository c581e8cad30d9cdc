-- Adds day $1's senders per bank not yet kept, each with the previous day they used that bank
-- (NULL: never before): one descent of transactions_bank_sender_idx per new pair, so a refresh
-- costs the pairs new since the last one.
--   $1 the day (date)   $2 its start   $3 its end (exclusive)
INSERT INTO live_day_bank_senders (day, bank_id, sender_id, prev_day)
SELECT $1::date, s.bank_id, s.sender_id, (
           SELECT (max(p.created_at) AT TIME ZONE 'Africa/Johannesburg')::date
           FROM transactions p
           WHERE p.bank_id = s.bank_id AND p.sender_id = s.sender_id AND p.created_at < $2)
FROM (
    SELECT DISTINCT bank_id, sender_id
    FROM transactions
    WHERE bank_id IS NOT NULL AND created_at >= $2 AND created_at < $3
) s
WHERE NOT EXISTS (
    SELECT 1 FROM live_day_bank_senders k
    WHERE k.day = $1 AND k.bank_id = s.bank_id AND k.sender_id = s.sender_id)
ON CONFLICT (day, bank_id, sender_id) DO NOTHING
