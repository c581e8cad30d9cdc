-- Per rollup job: when its newest successful run finished, and when its newest successful run
-- of a period reaching today ($1, a SAST date) started (what it can have included).
SELECT job,
       max(finished_at) FILTER (WHERE error IS NULL AND finished_at IS NOT NULL),
       max(started_at) FILTER (WHERE error IS NULL AND finished_at IS NOT NULL AND period_end >= $1::date)
FROM rollup_runs
GROUP BY job
ORDER BY job
