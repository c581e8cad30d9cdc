-- Revokes a key that is not revoked yet; returns its name, nothing when there is none.
UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING name
