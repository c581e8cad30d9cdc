-- Gives lease $1 up, if holder $2 still holds it, so a standby takes over at its next claim
-- instead of waiting for the lease to expire.
DELETE FROM scheduler_leases WHERE name = $1 AND holder = $2
