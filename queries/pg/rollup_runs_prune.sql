-- Partial refreshes of today run at every round and, while events stream in, once a minute
-- more; a week on they say nothing the day's final run does not. Successful partial runs
-- started before $1 go, except each job's newest successful run (what the pages' "as of"
-- reads). Final, backfill and failed runs stay: they are the record.
DELETE FROM rollup_runs r
WHERE r.mode = 'partial' AND r.error IS NULL AND r.started_at < $1
  AND EXISTS (SELECT 1 FROM rollup_runs n
              WHERE n.job = r.job AND n.error IS NULL AND n.finished_at > r.finished_at)
