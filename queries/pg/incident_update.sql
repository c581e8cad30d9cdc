UPDATE incidents
SET title = $2, severity = $3, is_outage = $4, started_at = $5, ended_at = $6, description = $7
WHERE id = $1
