SELECT id, title, severity, is_outage, started_at, ended_at, description, created_at
FROM incidents
WHERE id = $1
FOR UPDATE
