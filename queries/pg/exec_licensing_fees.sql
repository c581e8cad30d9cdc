-- Licensing fees booked in [$1, $2]: a partnership's monthly fee is booked on the first day of
-- every month its contract covers, so a range earns the fees of the month starts inside it.
SELECT coalesce(sum(b.monthly_fee), 0)
FROM generate_series(date_trunc('month', $1::date::timestamp), $2::date::timestamp, interval '1 month') AS m
JOIN bank_partnerships b
  ON b.contract_start_date <= m::date
 AND (b.contract_end_date IS NULL OR b.contract_end_date >= m::date)
WHERE m::date >= $1::date
