-- Heartbeats older than the longest window the page shows (and a margin).
DELETE FROM selfmon_heartbeats WHERE minute < $1
