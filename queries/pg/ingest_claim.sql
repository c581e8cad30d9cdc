-- Records a batch's events as seen and returns those that were not: the ones this batch
-- applies. An id another open transaction is claiming waits for it (then counts as seen if it
-- committed). Sorted, so two batches sharing ids take their locks in the same order.
--   $1 event ids   $2 their topics   $3 when received
INSERT INTO ingest_ledger (event_id, topic, received_at)
SELECT u.event_id, u.topic, $3
FROM unnest($1::uuid[], $2::text[]) AS u(event_id, topic)
ORDER BY u.event_id
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
