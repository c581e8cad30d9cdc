-- The newest audit entries, optionally of one action ($1 = '' for all), newest first.
SELECT id, at, actor_id, actor_email, action, target, detail, ip
FROM audit_log
WHERE ($1 = '' OR action = $1)
ORDER BY at DESC, id DESC
LIMIT $2
