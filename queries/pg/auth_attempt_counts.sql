-- What the sign-in limits need for email $1 from address $2 at the window start $3: failed or
-- still pending attempts (with the oldest of each, to say when a limit lifts) for the pair,
-- for the address and for the account, and whether the account signed in successfully from
-- this address since $4. Pair and account failures count only after their last success (by
-- id: attempts are numbered in the order they were counted).
WITH last_success AS (
  SELECT coalesce(max(id) FILTER (WHERE ip = $2), 0)   AS pair,
         coalesce(max(id), 0)                          AS account,
         coalesce(bool_or(ip = $2 AND at > $4), false) AS known
  FROM signin_attempts
  WHERE email = $1 AND succeeded
),
pair AS (
  SELECT count(*) AS n, min(a.at) AS oldest
  FROM signin_attempts a, last_success s
  WHERE a.email = $1 AND a.ip = $2 AND a.succeeded IS NOT TRUE AND a.at > $3 AND a.id > s.pair
),
account AS (
  SELECT count(*) AS n, min(a.at) AS oldest
  FROM signin_attempts a, last_success s
  WHERE a.email = $1 AND a.succeeded IS NOT TRUE AND a.at > $3 AND a.id > s.account
),
address AS (
  SELECT count(*) AS n, min(at) AS oldest
  FROM signin_attempts
  WHERE ip = $2 AND succeeded IS NOT TRUE AND at > $3
)
SELECT pair.n, pair.oldest, address.n, address.oldest, account.n, account.oldest, s.known
FROM pair, address, account, last_success s
