-- A user's profile as the design's user API gives it: the user, their transactions as sender
-- of any status, and the count, sum and average amount of the completed ones (the average
-- rounded to the cent; NULL when none completed). One probe of transactions_sender_idx.
--   $1 the user's id
SELECT u.id, u.blood_hash, u.created_at, u.status, u.signup_source, u.last_active,
       s.total, s.completed, s.volume, s.average
FROM users u
CROSS JOIN LATERAL (
    SELECT count(*)                                                  AS total,
           count(*) FILTER (WHERE t.status = 'COMPLETED')            AS completed,
           coalesce(sum(t.amount) FILTER (WHERE t.status = 'COMPLETED'), 0) AS volume,
           round(avg(t.amount) FILTER (WHERE t.status = 'COMPLETED'), 2)   AS average
    FROM transactions t
    WHERE t.sender_id = u.id
) s
WHERE u.id = $1
