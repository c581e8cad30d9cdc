-- The senders who used each bank on one SAST day, counted by the previous day they used that
-- bank (NULL: never before). From the source tables, one index descent on
-- transactions_bank_sender_idx per sender; or, in a live refresh of today ($4), from the
-- pairs kept in live_day_bank_senders (live_day_bank_senders_add.sql runs first).
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)   $4 live
INSERT INTO bank_daily_senders (day, bank_id, prev_day, senders)
SELECT $1::date, s.bank_id, s.prev_day, count(*)
FROM (
    SELECT s.bank_id, p.prev_day
    FROM (
        SELECT DISTINCT bank_id, sender_id
        FROM transactions
        WHERE NOT $4::boolean AND bank_id IS NOT NULL AND created_at >= $2 AND created_at < $3
    ) s
    CROSS JOIN LATERAL (
        SELECT (max(p.created_at) AT TIME ZONE 'Africa/Johannesburg')::date AS prev_day
        FROM transactions p
        WHERE p.bank_id = s.bank_id AND p.sender_id = s.sender_id AND p.created_at < $2
    ) p
    UNION ALL
    SELECT bank_id, prev_day FROM live_day_bank_senders WHERE $4::boolean AND day = $1
) s
GROUP BY s.bank_id, s.prev_day
