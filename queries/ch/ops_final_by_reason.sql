-- Final events (completed, failed) in [from, to), failed ones split by failure reason; of one
-- bank and/or channel when given.
SELECT event_type, failure_reason, sum(events) AS events
FROM events_per_minute
WHERE date >= toDate(?) AND date <= toDate(?)
  AND minute >= ? AND minute < ?
  AND event_type IN ('completed', 'failed')
  AND (? = '' OR bank_id = ?)
  AND (? = '' OR channel = ?)
GROUP BY event_type, failure_reason
ORDER BY event_type, failure_reason
