-- Which of the outbox rows numbered within [?, ?] are already in ClickHouse (see
-- ingest_shipped_transaction_events).
SELECT DISTINCT ingest_seq
FROM user_activity
WHERE date >= toDate(?) AND date <= toDate(?) AND ingest_seq >= ? AND ingest_seq <= ?
ORDER BY ingest_seq
