-- Per-bank transaction figures for the SAST days [$1, $2], one row per partnership (banks
-- without transactions in the range get zeros). Users are distinct senders through the bank;
-- success counts only final transactions (completed or failed), so pending ones never count
-- against a bank. Revenue is computed from completed_count in Go (metrics.TransactionFee).
WITH t AS (
    SELECT bank_id,
           count(DISTINCT sender_id)                                          AS users,
           count(*)                                                           AS transactions,
           count(*) FILTER (WHERE status = 'COMPLETED')                       AS completed,
           count(*) FILTER (WHERE status = 'FAILED')                          AS failed,
           count(*) FILTER (WHERE status = 'PENDING')                         AS pending,
           coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0)       AS completed_volume
    FROM transactions
    WHERE bank_id IS NOT NULL
      AND created_at >= ($1::date)::timestamp AT TIME ZONE 'Africa/Johannesburg'
      AND created_at <  ($2::date + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
    GROUP BY bank_id
)
SELECT b.bank_code, b.bank_name, b.status, b.transaction_fee_percentage,
       coalesce(t.users, 0), coalesce(t.transactions, 0), coalesce(t.completed, 0),
       coalesce(t.failed, 0), coalesce(t.pending, 0), coalesce(t.completed_volume, 0)
FROM bank_partnerships b
LEFT JOIN t ON t.bank_id = b.bank_code
ORDER BY b.bank_code
