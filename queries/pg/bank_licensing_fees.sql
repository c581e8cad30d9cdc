-- Licensing fees booked per partnership in the SAST days [$1, $2]: the same rule as
-- exec_licensing_fees.sql (the executive dashboard's revenue), split by bank. A bank's
-- monthly fee is booked on the first day of every month its contract covers, so a range earns
-- the fees of the month starts inside it. Banks that earn nothing in the range are absent.
SELECT b.bank_code, sum(b.monthly_fee)
FROM generate_series(date_trunc('month', $1::date::timestamp), $2::date::timestamp, interval '1 month') AS m
JOIN bank_partnerships b
  ON b.contract_start_date <= m::date
 AND (b.contract_end_date IS NULL OR b.contract_end_date >= m::date)
WHERE m::date >= $1::date
GROUP BY b.bank_code
