-- Every key, newest first, revoked ones too.
SELECT id, name, scopes, coalesce(bank_id, ''), expires_at, rate_per_minute, created_at, created_by,
       revoked_at, uses, refused, last_used_at
FROM api_keys
ORDER BY created_at DESC, id DESC
