-- last_active only moves forward.
UPDATE users
SET last_active = u.at
FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
WHERE users.id = u.id AND users.last_active < u.at
