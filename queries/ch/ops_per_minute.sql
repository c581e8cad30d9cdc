-- Initiated transactions per minute in [from, to). The SAST date filter keeps the read to the
-- partitions and sort-key range that can hold the minutes; unmerged parts are summed.
SELECT minute, sum(events) AS events
FROM events_per_minute
WHERE date >= toDate(?) AND date <= toDate(?)
  AND minute >= ? AND minute < ?
  AND event_type = 'initiated'
GROUP BY minute
ORDER BY minute
