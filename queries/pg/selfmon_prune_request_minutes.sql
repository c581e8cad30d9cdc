-- Server-time rows older than the longest window the page shows (and a margin).
DELETE FROM selfmon_request_minutes WHERE minute < $1
