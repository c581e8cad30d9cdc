-- One key, by id.
SELECT id, name, scopes, coalesce(bank_id, ''), expires_at, rate_per_minute, created_at, created_by,
       revoked_at, uses, refused, last_used_at
FROM api_keys
WHERE id = $1
