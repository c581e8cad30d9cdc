-- The live token with this hash, if any.
SELECT id, name FROM ingest_tokens WHERE token_hash = $1 AND revoked_at IS NULL
