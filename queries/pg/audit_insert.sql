INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip)
VALUES ($1, $2, $3, $4, $5, $6, $7)
