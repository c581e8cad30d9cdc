-- When the daily rollup last finished successfully: the page's figures are as fresh as this.
SELECT max(finished_at) FROM rollup_runs WHERE job = 'daily_metrics' AND error IS NULL
