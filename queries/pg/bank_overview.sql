-- Every partnership's figures for the SAST days [$1, $2], one row per partnership (banks
-- without transactions in the range get zeros), in one statement for the whole overview.
--
-- They are the catalogue's bank-filtered metrics (metric_bank_daily_facts.sql) summed over
-- the range: counts and volume from the bank_daily_status rollup, the fees billed (fee $3 per
-- completed transaction) and the bank's share of them from bank_fee_share, licensing from
-- licensing_accrual (the shared rules of migration 00015, which accrue per day, so a range
-- that cuts a month earns only its days). Users are distinct senders through the bank: each
-- is counted once, on their first active day in the range, the day whose prev_day is NULL or
-- before $1 (see 00009_bank_rollup.sql). present says whether the daily rollup has run for any
-- day of the range: the catalogue's metrics are n/a over a range it has never covered.
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
), f AS (
    SELECT bank_code, sum(fees_billed) AS fees_billed, sum(bank_share) AS bank_share
    FROM bank_fee_share($1::date, $2::date, $3::numeric)
    GROUP BY bank_code
), l AS (
    SELECT bank_code, sum(amount) AS licensing
    FROM licensing_accrual($1::date, $2::date)
    GROUP BY bank_code
), r AS (
    SELECT EXISTS (SELECT 1 FROM daily_metrics m WHERE m.date >= $1::date AND m.date <= $2::date) AS present
)
SELECT b.bank_code, b.bank_name, b.status, b.transaction_fee_percentage, r.present,
       coalesce(u.users, 0), coalesce(t.transactions, 0), coalesce(t.completed, 0),
       coalesce(t.failed, 0), coalesce(t.pending, 0), coalesce(t.completed_volume, 0),
       coalesce(f.fees_billed, 0),
       coalesce(f.bank_share, 0),
       coalesce(f.fees_billed, 0) - coalesce(f.bank_share, 0),
       coalesce(l.licensing, 0),
       coalesce(f.fees_billed, 0) - coalesce(f.bank_share, 0) + coalesce(l.licensing, 0)
FROM bank_partnerships b
CROSS JOIN r
LEFT JOIN t ON t.bank_id = b.bank_code
LEFT JOIN u ON u.bank_id = b.bank_code
LEFT JOIN f ON f.bank_code = b.bank_code
LEFT JOIN l ON l.bank_code = b.bank_code
ORDER BY b.bank_code
