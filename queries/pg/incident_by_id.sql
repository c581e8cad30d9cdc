SELECT id, title, severity, is_outage, started_at, ended_at, description, created_at, version
FROM incidents
WHERE id = $1
