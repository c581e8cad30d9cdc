-- The link a wall screen opens: only an unrevoked one.
SELECT id, name
FROM display_links
WHERE token_hash = $1 AND revoked_at IS NULL
