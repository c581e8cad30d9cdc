-- A key that is not revoked, locked until the transaction ends: its name and expiry before a
-- change of the expiry.
SELECT name, expires_at FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR UPDATE
