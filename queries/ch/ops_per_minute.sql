-- Initiated transactions per minute in [from, to), of one bank and/or channel when given. The SAST date filter keeps the read to the
-- partitions and sort-key range that can hold the minutes; unmerged parts are summed.
SELECT minute, sum(events) AS events
FROM events_per_minute
WHERE date >= toDate(?) AND date <= toDate(?)
  AND minute >= ? AND minute < ?
  AND event_type = 'initiated'
  AND (? = '' OR bank_id = ?)
  AND (? = '' OR channel = ?)
GROUP BY minute
ORDER BY minute
