-- Rollup runs started since $1, by job and mode: succeeded, failed, and never finished (still
-- running, or cut off).
SELECT job, mode,
       count(*) FILTER (WHERE finished_at IS NOT NULL AND error IS NULL),
       count(*) FILTER (WHERE error IS NOT NULL),
       count(*) FILTER (WHERE finished_at IS NULL AND error IS NULL)
FROM rollup_runs
WHERE started_at >= $1
GROUP BY job, mode
ORDER BY job, mode
