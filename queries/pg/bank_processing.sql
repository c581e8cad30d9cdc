-- One bank's processing time in the SAST days [$2, $3]: the exact 95th percentile of final
-- transactions (completed or failed; pending ones have no processing time yet), and how many
-- there were, from the bank_daily_latency rollups. It is percentile_disc(0.95) computed the way
-- PostgreSQL does: the value at 1-based rank ceil(0.95 × count) in ascending order (float8
-- arithmetic, as percentile_disc uses). The 100 ms buckets find the bucket holding that rank;
-- the exact per-millisecond counts of that one bucket find the value.
WITH buckets AS (
    SELECT bucket, sum(transactions) AS n
    FROM bank_daily_latency_buckets
    WHERE bank_id = $1 AND day >= $2::date AND day <= $3::date
    GROUP BY bucket
), target AS (
    SELECT coalesce(sum(n), 0)::bigint AS final,
           ceil(0.95::float8 * coalesce(sum(n), 0)::float8)::bigint AS rank
    FROM buckets
), hit AS (
    SELECT c.bucket, c.upto - c.n AS below
    FROM (SELECT bucket, n, sum(n) OVER (ORDER BY bucket) AS upto FROM buckets) c, target
    WHERE c.upto >= target.rank
    ORDER BY c.bucket
    LIMIT 1
), values_in_bucket AS (
    -- The days are a FILTER, not a WHERE: the scan is then bank_daily_latency_ms_idx's range of
    -- this bank and bucket (the days there are only a filter anyway), never the primary key's
    -- range of days, which a generic plan of this prepared statement would otherwise pick.
    SELECT l.processing_time_ms, sum(l.transactions) FILTER (WHERE l.day >= $2::date AND l.day <= $3::date) AS n
    FROM bank_daily_latency l, hit
    WHERE l.bank_id = $1
      AND l.processing_time_ms >= hit.bucket * 100 AND l.processing_time_ms < (hit.bucket + 1) * 100
    GROUP BY l.processing_time_ms
    HAVING count(*) FILTER (WHERE l.day >= $2::date AND l.day <= $3::date) > 0
)
SELECT target.final,
       (SELECT v.processing_time_ms
        FROM (SELECT processing_time_ms, sum(n) OVER (ORDER BY processing_time_ms) AS upto FROM values_in_bucket) v, hit
        WHERE hit.below + v.upto >= target.rank
        ORDER BY v.processing_time_ms
        LIMIT 1)::bigint
FROM target
