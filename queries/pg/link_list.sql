-- The links of report $1, grouped by recipient, newest first; views counted per link.
SELECT l.id, l.report_id, l.recipient_name, l.created_by, l.created_by_email, l.created_at,
       l.expires_at, l.revoked_at, l.replaced_by_link_id,
       (SELECT count(*) FROM report_link_views v WHERE v.link_id = l.id)
FROM report_links l
WHERE l.report_id = $1
ORDER BY lower(l.recipient_name), l.created_at DESC, l.id DESC
