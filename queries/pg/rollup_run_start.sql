INSERT INTO rollup_runs (job, mode, period_start, period_end, started_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
