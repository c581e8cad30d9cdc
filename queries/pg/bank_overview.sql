-- Per-bank transaction figures for the SAST days [$1, $2], one row per partnership (banks
-- without transactions in the range get zeros), from the bank_daily rollup. Users are distinct
-- senders through the bank: each is counted once, on their first active day in the range, the
-- day whose prev_day is NULL or before $1 (see 00009_bank_rollup.sql). Success counts only
-- final transactions (completed or failed), so pending ones never count against a bank.
-- Revenue is computed from completed_count in Go (metrics.TransactionFee).
WITH t AS (
    SELECT bank_id,
           sum(transactions)::bigint                                                   AS transactions,
           coalesce(sum(transactions) FILTER (WHERE status = 'COMPLETED'), 0)::bigint AS completed,
           coalesce(sum(transactions) FILTER (WHERE status = 'FAILED'), 0)::bigint    AS failed,
           coalesce(sum(transactions) FILTER (WHERE status = 'PENDING'), 0)::bigint   AS pending,
           coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0)                AS completed_volume
    FROM bank_daily_status
    WHERE day >= $1::date AND day <= $2::date
    GROUP BY bank_id
), u AS (
    SELECT bank_id, sum(senders)::bigint AS users
    FROM bank_daily_senders
    WHERE day >= $1::date AND day <= $2::date AND (prev_day IS NULL OR prev_day < $1::date)
    GROUP BY bank_id
)
SELECT b.bank_code, b.bank_name, b.status, b.transaction_fee_percentage,
       coalesce(u.users, 0), coalesce(t.transactions, 0), coalesce(t.completed, 0),
       coalesce(t.failed, 0), coalesce(t.pending, 0), coalesce(t.completed_volume, 0)
FROM bank_partnerships b
LEFT JOIN t ON t.bank_id = b.bank_code
LEFT JOIN u ON u.bank_id = b.bank_code
ORDER BY b.bank_code
