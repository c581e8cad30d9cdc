-- The top recipients (see bank_top_recipients.sql) from every recipient of the bank in the SAST
-- days [$2, $3]: exact whatever the distribution, used when the fast path cannot prove its
-- answer. Counts first (integer sums over every recipient), then volume, average and blood
-- hash only for the recipients with at least the 20th count (all of those tied with it
-- included, so the volume and blood-hash tie-breaks see every contender).
WITH counted AS MATERIALIZED (
    SELECT recipient_id, sum(completed)::bigint AS n
    FROM bank_daily_recipients
    WHERE bank_id = $1 AND day >= $2::date AND day <= $3::date
    GROUP BY recipient_id
), cutoff AS (
    SELECT coalesce(min(n), 0) AS n FROM (SELECT n FROM counted ORDER BY n DESC LIMIT 20) t
), contenders AS (
    SELECT (SELECT u.blood_hash FROM users u WHERE u.id = c.recipient_id) AS blood_hash, c.n, s.v
    FROM counted c
    CROSS JOIN cutoff
    CROSS JOIN LATERAL (
        SELECT sum(d.volume) AS v
        FROM bank_daily_recipients d
        WHERE d.bank_id = $1 AND d.recipient_id = c.recipient_id AND d.day >= $2::date AND d.day <= $3::date
    ) s
    WHERE c.n >= cutoff.n
)
SELECT blood_hash, n, v, round(v / n, 2)
FROM contenders
ORDER BY n DESC, v DESC, blood_hash
LIMIT 20
