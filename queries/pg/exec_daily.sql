-- One row per SAST day in [$1, $2]; a day without a rollup row comes back with NULLs (shown as
-- a gap, never as zero).
SELECT d::date                   AS date,
       m.total_transactions,
       m.successful_transactions,
       m.total_volume
FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS d
LEFT JOIN daily_metrics m ON m.date = d::date
ORDER BY d
