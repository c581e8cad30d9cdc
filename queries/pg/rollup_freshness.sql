-- When rollup job $1 last finished successfully: a page's figures are as fresh as this.
SELECT max(finished_at) FROM rollup_runs WHERE job = $1 AND error IS NULL
