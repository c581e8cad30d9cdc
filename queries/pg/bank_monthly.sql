-- One bank's figures per SAST calendar month touched by the days [$2, $3], oldest first,
-- months without transactions included (zeros). Only days inside the range count.
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $2::date::timestamp), $3::date::timestamp, interval '1 month') AS m
), t AS (
    SELECT date_trunc('month', created_at AT TIME ZONE 'Africa/Johannesburg')::date AS month,
           count(*)                                                     AS transactions,
           count(*) FILTER (WHERE status = 'COMPLETED')                 AS completed,
           count(*) FILTER (WHERE status = 'FAILED')                    AS failed,
           coalesce(sum(amount) FILTER (WHERE status = 'COMPLETED'), 0) AS completed_volume
    FROM transactions
    WHERE bank_id = $1
      AND created_at >= ($2::date)::timestamp AT TIME ZONE 'Africa/Johannesburg'
      AND created_at <  ($3::date + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
    GROUP BY 1
)
SELECT months.month, coalesce(t.transactions, 0), coalesce(t.completed, 0),
       coalesce(t.failed, 0), coalesce(t.completed_volume, 0)
FROM months LEFT JOIN t USING (month)
ORDER BY months.month
