-- Processing time (initiation to completed/failed) per SAST hour in [from, to), of one bank
-- and/or channel when given: the exact histogram, how many final events took each whole
-- millisecond, in ascending order per hour. The p50 and p95 are read from it in Go by nearest
-- rank (package percentile). Unmerged parts of the SummingMergeTree are summed here.
SELECT hour, processing_time_ms, sum(events) AS events
FROM processing_time_histogram
WHERE date >= toDate(?) AND date <= toDate(?)
  AND hour >= ? AND hour < ?
  AND (? = '' OR bank_id = ?)
  AND (? = '' OR channel = ?)
GROUP BY hour, processing_time_ms
ORDER BY hour, processing_time_ms
