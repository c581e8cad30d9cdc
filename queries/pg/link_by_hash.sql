-- The link whose token hashes to $1 (a unique-index lookup: no token is compared in Go).
SELECT l.id, l.report_id, l.recipient_name, l.created_by, l.created_by_email, l.created_at,
       l.expires_at, l.revoked_at, l.replaced_by_link_id
FROM report_links l
WHERE l.token_hash = $1
