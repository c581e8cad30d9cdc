-- One bank's processing-time histograms in the SAST days [$2, $3], from the bank_daily_latency
-- rollups (final transactions: completed or failed; pending ones have no processing time yet),
-- for its exact p95, which Go picks by nearest rank (package percentile):
--   kind 0: every 100 ms bucket (value) and its transactions, to find the bucket holding the rank;
--   kind 1: the exact per-millisecond counts of bucket $4 alone (none when $4 is -1).
-- One statement, so both come from one snapshot even while a rollup rewrites a day.
SELECT 0 AS kind, bucket::bigint AS value, sum(transactions)::bigint AS n
FROM bank_daily_latency_buckets
WHERE bank_id = $1 AND day >= $2::date AND day <= $3::date
GROUP BY bucket
UNION ALL
-- The days are a FILTER, not a WHERE: the scan is then bank_daily_latency_ms_idx's range of
-- this bank and bucket (the days there are only a filter anyway), never the primary key's
-- range of days, which a generic plan of this prepared statement would otherwise pick.
SELECT 1, l.processing_time_ms::bigint,
       sum(l.transactions) FILTER (WHERE l.day >= $2::date AND l.day <= $3::date)::bigint
FROM bank_daily_latency l
WHERE l.bank_id = $1
  AND l.processing_time_ms >= $4::bigint * 100 AND l.processing_time_ms < ($4::bigint + 1) * 100
GROUP BY l.processing_time_ms
HAVING count(*) FILTER (WHERE l.day >= $2::date AND l.day <= $3::date) > 0
ORDER BY kind, value
