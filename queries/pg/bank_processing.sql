-- One bank's processing time in the SAST days [$2, $3]: the exact 95th percentile
-- (percentile_disc: a time some transaction really took) of final transactions (completed or
-- failed; pending ones have no processing time yet), and how many there were.
SELECT count(processing_time_ms),
       percentile_disc(0.95) WITHIN GROUP (ORDER BY processing_time_ms)
FROM transactions
WHERE bank_id = $1
  AND status IN ('COMPLETED', 'FAILED')
  AND processing_time_ms IS NOT NULL
  AND created_at >= ($2::date)::timestamp AT TIME ZONE 'Africa/Johannesburg'
  AND created_at <  ($3::date + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
