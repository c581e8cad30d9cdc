-- How much waits for ClickHouse, and since when.
SELECT (SELECT count(*) FROM ch_outbox_transaction_events),
       (SELECT count(*) FROM ch_outbox_user_activity),
       least((SELECT min(at) FROM ch_outbox_transaction_events), (SELECT min(at) FROM ch_outbox_user_activity))
