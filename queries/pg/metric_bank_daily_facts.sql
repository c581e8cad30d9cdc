-- The daily inputs of one bank's metrics ($4 = bank code): one row per SAST day of [$1, $2].
-- Counts and volume come from the bank rollup (bank_daily_status), revenue from the shared
-- rules (bank_fee_share, licensing_accrual; migration 00015) with the fee $3. A day is present
-- when the daily rollup has run for it.
WITH days AS (
    SELECT g::date AS day FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS g
),
status AS (
    SELECT s.day,
           sum(s.transactions)                                     AS transactions,
           sum(s.transactions) FILTER (WHERE s.status = 'COMPLETED') AS completed,
           sum(s.transactions) FILTER (WHERE s.status = 'FAILED')    AS failed,
           sum(s.amount)       FILTER (WHERE s.status = 'COMPLETED') AS completed_volume
    FROM bank_daily_status s
    WHERE s.bank_id = $4 AND s.day >= $1::date AND s.day <= $2::date
    GROUP BY s.day
),
shares AS (
    SELECT f.day, f.fees_billed, f.bank_share FROM bank_fee_share($1::date, $2::date, $3::numeric) f WHERE f.bank_code = $4
),
licensing AS (
    SELECT l.day, l.amount FROM licensing_accrual($1::date, $2::date) l WHERE l.bank_code = $4
)
SELECT d.day,
       m.date IS NOT NULL,
       coalesce(m.day_complete, false),
       coalesce(s.transactions, 0)::bigint,
       coalesce(s.completed, 0)::bigint,
       coalesce(s.failed, 0)::bigint,
       0::bigint,
       coalesce(s.completed_volume, 0),
       0::bigint,
       0::bigint,
       0::bigint,
       0::bigint,
       coalesce(f.fees_billed, 0),
       coalesce(f.bank_share, 0),
       coalesce(f.fees_billed, 0) - coalesce(f.bank_share, 0),
       coalesce(l.amount, 0),
       coalesce(f.fees_billed, 0) - coalesce(f.bank_share, 0) + coalesce(l.amount, 0)
FROM days d
LEFT JOIN daily_metrics m ON m.date = d.day
LEFT JOIN status s        ON s.day = d.day
LEFT JOIN shares f        ON f.day = d.day
LEFT JOIN licensing l     ON l.day = d.day
ORDER BY d.day
