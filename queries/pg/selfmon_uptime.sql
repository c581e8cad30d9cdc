-- Uptime of [$1, $2): the first heartbeat ever kept (none before it: the window starts there
-- when it is later than $1), the minutes of the window in which at least one instance was up
-- and ready, and how many instances sent heartbeats in it.
SELECT (SELECT min(minute) FROM selfmon_heartbeats),
       count(DISTINCT minute),
       count(DISTINCT instance)
FROM selfmon_heartbeats
WHERE minute >= $1 AND minute < $2
