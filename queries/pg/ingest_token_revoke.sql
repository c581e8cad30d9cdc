-- Revokes a live token; returns its name, nothing when there is no live token with that id.
UPDATE ingest_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING name
