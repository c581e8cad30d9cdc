-- One link of report $2, locked until the transaction ends (revoke, rotate).
SELECT l.id, l.report_id, l.recipient_name, l.created_by, l.created_by_email, l.created_at,
       l.expires_at, l.revoked_at, l.replaced_by_link_id
FROM report_links l
WHERE l.id = $1 AND l.report_id = $2
FOR UPDATE
