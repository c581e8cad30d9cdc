-- Every change of an incident (an edit, or ending it) is a new version.
UPDATE incidents
SET title = $2, severity = $3, is_outage = $4, started_at = $5, ended_at = $6, description = $7,
    version = version + 1
WHERE id = $1
RETURNING version
