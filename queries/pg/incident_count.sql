-- How many incidents (outage or not) overlap [$1, $2).
SELECT count(*)
FROM incidents
WHERE started_at < $2::timestamptz
  AND (ended_at IS NULL OR ended_at > $1::timestamptz)
