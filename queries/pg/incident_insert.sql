INSERT INTO incidents (title, severity, is_outage, started_at, ended_at, description, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id
