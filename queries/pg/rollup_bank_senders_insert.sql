-- The senders who used each bank on one SAST day, counted by the previous day they used that
-- bank (NULL: never before). One index descent on transactions_bank_sender_idx per sender.
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)
INSERT INTO bank_daily_senders (day, bank_id, prev_day, senders)
SELECT $1::date, s.bank_id, p.prev_day, count(*)
FROM (
    SELECT DISTINCT bank_id, sender_id
    FROM transactions
    WHERE bank_id IS NOT NULL AND created_at >= $2 AND created_at < $3
) s
CROSS JOIN LATERAL (
    SELECT (max(p.created_at) AT TIME ZONE 'Africa/Johannesburg')::date AS prev_day
    FROM transactions p
    WHERE p.bank_id = s.bank_id AND p.sender_id = s.sender_id AND p.created_at < $2
) p
GROUP BY s.bank_id, p.prev_day
