-- The newest transaction event dated from the SAST date ? on. count() tells none from an event
-- at the epoch.
SELECT count() AS events, max(timestamp) AS newest
FROM transaction_events
WHERE date >= toDate(?)
