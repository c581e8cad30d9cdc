UPDATE users u
SET last_active = d.last_active
FROM demo_last_active d
WHERE u.id = d.id
