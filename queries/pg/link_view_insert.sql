INSERT INTO report_link_views (link_id, viewed_at, ip, user_agent)
VALUES ($1, $2, $3, $4)
