-- Claims lease $1 for holder $2 for $3 milliseconds, or renews it when $2 already holds it,
-- in one statement against the database clock. A live lease of another holder is left alone
-- (the WHERE of DO UPDATE): a row comes back only when $2 holds the lease afterwards. Two
-- claims at the same moment serialise on the primary key, and the second sees the first's row.
INSERT INTO scheduler_leases AS l (name, holder, acquired_at, renewed_at, expires_at)
SELECT $1, $2, t.now, t.now, t.now + $3::bigint * interval '1 millisecond'
FROM (SELECT clock_timestamp() AS now) AS t
ON CONFLICT (name) DO UPDATE
SET holder      = excluded.holder,
    acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
    renewed_at  = excluded.renewed_at,
    expires_at  = excluded.expires_at
WHERE l.holder = excluded.holder OR l.expires_at <= excluded.renewed_at
RETURNING acquired_at, expires_at
