SELECT id, name, created_by_email, created_at, revoked_at
FROM display_links
WHERE id = $1
