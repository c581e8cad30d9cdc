-- Streamed events. Each row that the ingestion shipper writes carries the sequence number its
-- PostgreSQL outbox gave it, so a shipper that does not know whether its last insert landed
-- (a crash, a timeout, a lost connection between the insert and the outbox delete) can ask
-- ClickHouse which of the rows it holds are already here and send only the others. The
-- materialized views count a row when it is inserted, so duplicates have to be stopped before
-- the insert: this column is how. Rows from `mari demo` keep 0.
--
-- 18.16 has no ADD COLUMN IF NOT EXISTS; the migration runner treats "column already exists"
-- on an ADD COLUMN as done, so an interrupted run can be repeated.
ALTER TABLE transaction_events ADD COLUMN ingest_seq UInt64 DEFAULT 0;

ALTER TABLE user_activity ADD COLUMN ingest_seq UInt64 DEFAULT 0;

-- The contract gives every activity an event_id; demo rows have the nil UUID.
ALTER TABLE user_activity ADD COLUMN event_id UUID;
