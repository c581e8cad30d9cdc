-- Revokes a link at $2 (and records its replacement $3, NULL for a plain revocation); a link
-- revoked before keeps its first revocation time (0 rows).
UPDATE report_links
SET revoked_at = $2, replaced_by_link_id = $3
WHERE id = $1 AND revoked_at IS NULL
