-- A new API key; only its SHA-256 is kept. Nothing is returned when a key that is not
-- revoked has the name.
INSERT INTO api_keys (name, key_hash, scopes, bank_id, expires_at, rate_per_minute, created_at, created_by)
VALUES ($1, $2, $3, nullif($4, ''), $5, $6, $7, $8)
ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
RETURNING id, created_at
