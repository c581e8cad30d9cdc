-- The day's ($1) exact histogram rolled into 100 ms buckets: the coarse pass of the p95.
INSERT INTO bank_daily_latency_buckets (day, bank_id, bucket, transactions)
SELECT day, bank_id, processing_time_ms / 100, sum(transactions)
FROM bank_daily_latency
WHERE day = $1
GROUP BY day, bank_id, processing_time_ms / 100
