-- One bank's figures per SAST calendar month touched by the days [$2, $3], oldest first,
-- months without transactions included (zeros), from the bank_daily_status rollup. Only days
-- inside the range count.
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $2::date::timestamp), $3::date::timestamp, interval '1 month') AS m
), t AS (
    SELECT date_trunc('month', day)::date                                               AS month,
           sum(transactions)::bigint                                                   AS transactions,
           coalesce(sum(transactions) FILTER (WHERE status = 'COMPLETED'), 0)::bigint AS completed,
           coalesce(sum(transactions) FILTER (WHERE status = 'FAILED'), 0)::bigint    AS failed,
           coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0)                AS completed_volume
    FROM bank_daily_status
    WHERE bank_id = $1 AND day >= $2::date AND day <= $3::date
    GROUP BY 1
)
SELECT months.month, coalesce(t.transactions, 0), coalesce(t.completed, 0),
       coalesce(t.failed, 0), coalesce(t.completed_volume, 0)
FROM months LEFT JOIN t USING (month)
ORDER BY months.month
