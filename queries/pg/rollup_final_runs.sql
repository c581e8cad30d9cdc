-- For each day since $1 on which every day job in $2 has a successful run: the earliest of
-- those jobs' latest successful starts. The scheduler finalises a day again until every job
-- has a run that started after the day's 02:00 cut-off, so one failing job is retried even
-- when the others succeeded.
WITH latest AS (
    SELECT period_start, job, max(started_at) AS started
    FROM rollup_runs
    WHERE job = ANY($2::text[]) AND error IS NULL AND finished_at IS NOT NULL AND period_start >= $1
    GROUP BY period_start, job
)
SELECT period_start, min(started)
FROM latest
GROUP BY period_start
HAVING count(*) = cardinality($2::text[])
