-- The newest app activity dated from the SAST date ? on. count() tells none from an event at
-- the epoch.
SELECT count() AS events, max(timestamp) AS newest
FROM user_activity
WHERE date >= toDate(?)
