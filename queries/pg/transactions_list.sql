-- The first page of the transactions behind a figure, newest first: those initiated in
-- [$1, $2) (instants from Go, package calendar) that match every filter given ('' = any):
--   $3 bank code   $4 channel   $5 status   $6 failure reason   $7 rows to return
-- A backward scan of transactions_created_at_idx over the period, stopping at $7 rows; ties
-- on created_at are broken by id so the order, and so the keyset of the next page, is total.
-- Counterparties are shown by their blood hash only.
SELECT t.id, t.created_at, t.completed_at, s.blood_hash, r.blood_hash, t.amount, t.currency, t.status,
       coalesce(t.bank_id, ''), t.channel, coalesce(t.failure_reason, ''), t.processing_time_ms
FROM transactions t
JOIN users s ON s.id = t.sender_id
JOIN users r ON r.id = t.recipient_id
WHERE t.created_at >= $1 AND t.created_at < $2
  AND ($3::text = '' OR t.bank_id = $3::text)
  AND ($4::text = '' OR t.channel = $4::text)
  AND ($5::text = '' OR t.status = $5::text)
  AND ($6::text = '' OR t.failure_reason = $6::text)
ORDER BY t.created_at DESC, t.id DESC
LIMIT $7
