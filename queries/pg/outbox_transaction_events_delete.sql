-- Shipped rows leave the outbox, by their exact numbers: a row numbered lower that committed
-- after the read was not shipped and stays.
DELETE FROM ch_outbox_transaction_events WHERE seq = ANY($1::bigint[])
