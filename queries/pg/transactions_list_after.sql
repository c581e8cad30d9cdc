-- The page after the row ($8, $9) (its created_at and id) of transactions_list.sql's order:
-- the same filters, and only rows that sort after it, so rows initiated since the first page
-- (newer, so before it) never shift the pages that follow. The bound on created_at alone is
-- what the index can seek to; the row comparison breaks ties within the same instant.
--   $1, $2 the period [from, to)   $3 bank   $4 channel   $5 status   $6 failure reason
--   $7 rows to return   $8 created_at of the last row shown   $9 its id
SELECT t.id, t.created_at, t.completed_at, s.blood_hash, r.blood_hash, t.amount, t.currency, t.status,
       coalesce(t.bank_id, ''), t.channel, coalesce(t.failure_reason, ''), t.processing_time_ms
FROM transactions t
JOIN users s ON s.id = t.sender_id
JOIN users r ON r.id = t.recipient_id
WHERE t.created_at >= $1 AND t.created_at < $2
  AND t.created_at <= $8
  AND (t.created_at, t.id) < ($8, $9::uuid)
  AND ($3::text = '' OR t.bank_id = $3::text)
  AND ($4::text = '' OR t.channel = $4::text)
  AND ($5::text = '' OR t.status = $5::text)
  AND ($6::text = '' OR t.failure_reason = $6::text)
ORDER BY t.created_at DESC, t.id DESC
LIMIT $7
