-- Whether a rollup job has ever finished a run without error (a job added by a newer release
-- has not, and needs its history backfilled).
SELECT EXISTS (
    SELECT 1 FROM rollup_runs
    WHERE job = $1 AND error IS NULL AND finished_at IS NOT NULL
)
