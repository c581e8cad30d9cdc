-- p50 and p95 processing time (initiation to completed/failed) per hour in [from, to), merged
-- from the t-digest states of every bank and channel.
SELECT hour, arrayMap(x -> toFloat64(x), quantilesTDigestMerge(0.5, 0.95)(latency)) AS q
FROM processing_time_hourly
WHERE date >= toDate(?) AND date <= toDate(?)
  AND hour >= ? AND hour < ?
  AND (? = '' OR bank_id = ?)
  AND (? = '' OR channel = ?)
GROUP BY hour
ORDER BY hour
