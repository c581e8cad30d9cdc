-- Attempts older than every rate-limit window are not needed any more.
DELETE FROM signin_attempts WHERE at < $1
