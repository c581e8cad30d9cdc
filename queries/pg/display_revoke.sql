-- Revoking twice changes nothing: the first revocation time stays.
UPDATE display_links SET revoked_at = $2
WHERE id = $1 AND revoked_at IS NULL
RETURNING name
