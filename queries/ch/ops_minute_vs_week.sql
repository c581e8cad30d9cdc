-- Initiated transactions in the current minute and in the same minute a week earlier.
SELECT sumIf(events, minute = ?) AS current, sumIf(events, minute = ?) AS last_week
FROM events_per_minute
WHERE date IN (toDate(?), toDate(?))
  AND event_type = 'initiated'
  AND (? = '' OR bank_id = ?)
  AND (? = '' OR channel = ?)
