-- A new ingestion token; only its SHA-256 is kept. Nothing is returned when a live token has
-- the name.
INSERT INTO ingest_tokens (name, token_hash, created_at, created_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
RETURNING id
