-- Which of the outbox rows numbered within [?, ?] are already in ClickHouse: asked only when a
-- shipper cannot know whether its last insert landed. The dates bound the partitions read.
SELECT DISTINCT ingest_seq
FROM transaction_events
WHERE date >= toDate(?) AND date <= toDate(?) AND ingest_seq >= ? AND ingest_seq <= ?
ORDER BY ingest_seq
