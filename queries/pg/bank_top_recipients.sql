-- The seed's "Top Recipients" done right: one bank's 20 recipients (by blood hash) with the
-- most COMPLETED transactions in the SAST days [$2, $3], with their volume and average. Ties:
-- larger volume first, then blood hash, so the order is stable.
--
-- Fast path over the bank_daily_recipients rollup: only the recipients in the top lists of the
-- months the range touches get exact sums; every other recipient has at most others_max, the
-- sum of those months' bounds (a month cut by the range holds at most what the whole month
-- does). Every row carries others_max (one row of NULLs and the bound when no listed recipient
-- has a transaction in the range): queries.BankTopRecipients accepts the answer only when
-- others_max is 0 or the 20th count beats it, and otherwise runs bank_top_recipients_all.sql.
-- average = round(volume / count, 2) is exactly round(avg(amount), 2): the same numeric division.
WITH months AS (
    SELECT m::date AS month
    FROM generate_series(date_trunc('month', $2::date::timestamp), $3::date::timestamp, interval '1 month') AS m
), bound AS (
    SELECT coalesce(sum(b.others_max), 0)::bigint AS others_max
    FROM bank_monthly_recipient_bound b JOIN months USING (month)
    WHERE b.bank_id = $1
), candidates AS (
    SELECT DISTINCT l.recipient_id
    FROM bank_monthly_top_recipients l JOIN months USING (month)
    WHERE l.bank_id = $1
), counted AS (
    -- One index range (bank_daily_recipients_recipient_idx) and one user lookup per candidate,
    -- a few hundred: written so that no plan, custom or generic, scans the whole range or hashes
    -- every user.
    SELECT (SELECT u.blood_hash FROM users u WHERE u.id = c.recipient_id) AS blood_hash, s.n, s.v
    FROM candidates c
    CROSS JOIN LATERAL (
        SELECT sum(d.completed)::bigint AS n, sum(d.volume) AS v
        FROM bank_daily_recipients d
        WHERE d.bank_id = $1 AND d.recipient_id = c.recipient_id AND d.day >= $2::date AND d.day <= $3::date
    ) s
    WHERE s.n IS NOT NULL
), top AS (
    SELECT blood_hash, n, v
    FROM counted
    ORDER BY n DESC, v DESC, blood_hash
    LIMIT 20
)
SELECT top.blood_hash, top.n, top.v, round(top.v / top.n, 2), bound.others_max
FROM bound LEFT JOIN top ON true
ORDER BY top.n DESC, top.v DESC, top.blood_hash
