-- Sets when a key stops working.
UPDATE api_keys SET expires_at = $2 WHERE id = $1 AND revoked_at IS NULL
