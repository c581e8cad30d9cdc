-- Failures older than every rate-limit window ($1) count for nothing any more, and successes
-- older than $2 no longer make an address known to its account. The audit log keeps them all.
DELETE FROM signin_attempts WHERE (at < $1 AND succeeded IS NOT TRUE) OR at < $2
