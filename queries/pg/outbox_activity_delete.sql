-- Shipped rows leave the outbox, by their exact numbers (see outbox_transaction_events_delete).
DELETE FROM ch_outbox_user_activity WHERE seq = ANY($1::bigint[])
