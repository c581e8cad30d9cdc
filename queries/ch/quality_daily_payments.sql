-- Payments per SAST date of the raw event stream, dates ? to ? inclusive: initiated events, and
-- the amount of completed events (each event row carries its payment's amount). The raw table,
-- not a pre-aggregation: this is the check of what ClickHouse holds. The date goes out as text,
-- 'YYYY-MM-DD' on every engine.
SELECT toString(date) AS day,
       countIf(event_type = 'initiated') AS initiated,
       sumIf(amount, event_type = 'completed') AS completed_volume
FROM transaction_events
WHERE date >= toDate(?) AND date <= toDate(?)
GROUP BY date
ORDER BY date
