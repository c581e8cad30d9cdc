-- The latest successful start of each daily_metrics period since $1, for the scheduler to
-- decide which days still need their final run.
SELECT period_start, max(started_at)
FROM rollup_runs
WHERE job = 'daily_metrics' AND error IS NULL AND finished_at IS NOT NULL AND period_start >= $1
GROUP BY period_start
