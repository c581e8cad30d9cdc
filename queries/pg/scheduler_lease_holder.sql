-- Who holds lease $1 and until when (by the database clock); no row when nobody ever has.
SELECT holder, acquired_at, expires_at, expires_at > clock_timestamp() AS live
FROM scheduler_leases
WHERE name = $1
