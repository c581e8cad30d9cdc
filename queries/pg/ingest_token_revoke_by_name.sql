-- Revokes the live token with this name, if any; returns its id.
UPDATE ingest_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING id
