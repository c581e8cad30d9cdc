-- Serialises the sign-in attempts of one account ($1 = 1, $2 = email) or one address ($1 = 2,
-- $2 = address) until the transaction ends. Callers take the account's lock first, then the
-- address's, so two attempts never wait on each other in a cycle.
SELECT pg_advisory_xact_lock($1::int, hashtext($2))
