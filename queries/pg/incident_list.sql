-- Incidents that overlap [$1, $2): ongoing ones first, then newest first.
SELECT id, title, severity, is_outage, started_at, ended_at, description, created_at, version
FROM incidents
WHERE started_at < $2::timestamptz
  AND (ended_at IS NULL OR ended_at > $1::timestamptz)
ORDER BY (ended_at IS NULL) DESC, started_at DESC, id DESC
