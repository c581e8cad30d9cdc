-- The newest $2 failed rollup runs started since $1, with their error.
SELECT job, mode, period_start, period_end, started_at, finished_at, error
FROM rollup_runs
WHERE started_at >= $1 AND error IS NOT NULL
ORDER BY started_at DESC, id DESC
LIMIT $2
