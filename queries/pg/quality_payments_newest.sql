-- The newest payment in PostgreSQL: the latest initiation, and the latest final state reached
-- by a payment initiated since $1. Payments reach their final state within minutes, so the
-- bound loses nothing that matters here and keeps the read on the created_at index instead of
-- the whole table.
SELECT (SELECT max(created_at) FROM transactions),
       (SELECT max(completed_at) FROM transactions WHERE created_at >= $1)
