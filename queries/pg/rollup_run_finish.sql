UPDATE rollup_runs SET finished_at = $2, rows_written = $3, error = $4 WHERE id = $1
