-- When the growth rollup last finished successfully: the page's figures are as fresh as this.
SELECT max(finished_at) FROM rollup_runs WHERE job = 'growth' AND error IS NULL
