-- A new read-only link. The report must be published: the SELECT finds no row otherwise (and
-- the table's trigger refuses it as well).
INSERT INTO report_links (report_id, recipient_name, token_hash, created_by, created_by_email,
                          created_at, expires_at)
SELECT r.id, $2, $3, $4, $5, $6, $7
FROM investor_reports r
WHERE r.id = $1 AND r.status = 'published'
RETURNING id
