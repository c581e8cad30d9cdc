-- The newest views of the links of report $1.
SELECT v.link_id, l.recipient_name, v.viewed_at, v.ip, v.user_agent
FROM report_link_views v
JOIN report_links l ON l.id = v.link_id
WHERE l.report_id = $1
ORDER BY v.viewed_at DESC, v.id DESC
LIMIT $2
