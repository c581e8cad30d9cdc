-- The rollup-failure alert template: each rollup job's newest run finished by $1, with its
-- error ('' when it succeeded), newest first.
SELECT job, coalesce(error, ''), finished_at
FROM (
    SELECT DISTINCT ON (job) job, error, finished_at
    FROM rollup_runs
    WHERE finished_at IS NOT NULL AND finished_at <= $1
    ORDER BY job, finished_at DESC, id DESC
) newest
ORDER BY finished_at DESC, job
