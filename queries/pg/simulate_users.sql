-- The users a live demo stream pays between: active accounts (a suspended or closed one cannot
-- pay or be paid), the most recently active first, at most $1 of them.
SELECT id
FROM users
WHERE status = 'active'
ORDER BY last_active DESC, id
LIMIT $1
