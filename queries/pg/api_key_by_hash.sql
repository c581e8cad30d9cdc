-- The key with this hash, revoked and expired ones too (the caller says which it is).
SELECT id, name, scopes, coalesce(bank_id, ''), expires_at, rate_per_minute, created_at, created_by,
       revoked_at, uses, refused, last_used_at
FROM api_keys
WHERE key_hash = $1
