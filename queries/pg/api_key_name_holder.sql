-- The key that is not revoked and holds this name, if any, with its expiry.
SELECT id, expires_at FROM api_keys WHERE name = $1 AND revoked_at IS NULL
