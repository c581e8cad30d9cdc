SELECT id, name, created_at, created_by, revoked_at, last_used_at, events_accepted
FROM ingest_tokens
ORDER BY revoked_at IS NOT NULL, name
