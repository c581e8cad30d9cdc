-- Rows waiting for ClickHouse in each outbox, and when the oldest (the first queued, by its
-- sequence number) was queued.
SELECT (SELECT count(*) FROM ch_outbox_transaction_events),
       (SELECT queued_at FROM ch_outbox_transaction_events ORDER BY seq LIMIT 1),
       (SELECT count(*) FROM ch_outbox_user_activity),
       (SELECT queued_at FROM ch_outbox_user_activity ORDER BY seq LIMIT 1)
