-- The newest minute with any event, looking back two SAST days (today and yesterday).
SELECT count() AS minutes, max(minute) AS newest
FROM events_per_minute
WHERE date >= toDate(?) AND minute <= ?
