-- Completed or failed: the payment reaches its final state, once. Only a pending payment
-- moves (the rows are locked by ingest_transactions_for_update in the same transaction).
UPDATE transactions t
SET status = u.status, completed_at = u.at, processing_time_ms = u.ms, failure_reason = NULLIF(u.reason, '')
FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS u(id, status, at, ms, reason)
WHERE t.id = u.id AND t.status = 'PENDING'
