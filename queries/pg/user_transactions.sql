-- A user's transactions as sender or recipient, newest first, from the keyset position
-- ($2, $3) on (the last row of the previous page; NULL for the first page), each with the
-- counterparty's blood hash only: never a phone hash or a device key.
--   $1 the user's id   $2, $3 the position (created_at, id)   $4 rows
SELECT t.id, t.created_at, t.completed_at, t.amount, t.currency, t.status, t.bank_id, t.channel,
       coalesce(t.failure_reason, ''), t.sender_id = $1 AS sent, c.blood_hash
FROM (
    -- Each side from its own index, newest first, so a page reads about $4 rows of each.
    (SELECT * FROM transactions
     WHERE sender_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4)
    UNION
    (SELECT * FROM transactions
     WHERE recipient_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4)
) t
JOIN users c ON c.id = CASE WHEN t.sender_id = $1 THEN t.recipient_id ELSE t.sender_id END
ORDER BY t.created_at DESC, t.id DESC
LIMIT $4
