-- The minute of the latest event today, to show the stream is flowing. count() tells an empty
-- day from one whose last minute is the epoch.
SELECT count() AS minutes, max(minute) AS last_minute
FROM events_per_minute
WHERE date = toDate(?)
