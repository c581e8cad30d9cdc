SELECT id, name, created_by_email, created_at, revoked_at
FROM display_links
ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC
