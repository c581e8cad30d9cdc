-- One SAST day's exact processing-time histogram per bank: final transactions (completed or
-- failed) with a processing time, counted per millisecond value.
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)
INSERT INTO bank_daily_latency (day, bank_id, processing_time_ms, transactions)
SELECT $1::date, bank_id, processing_time_ms, count(*)
FROM transactions
WHERE bank_id IS NOT NULL
  AND status IN ('COMPLETED', 'FAILED')
  AND processing_time_ms IS NOT NULL
  AND created_at >= $2 AND created_at < $3
GROUP BY bank_id, processing_time_ms
