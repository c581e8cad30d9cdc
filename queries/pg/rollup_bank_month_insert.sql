-- One month's top $2 recipients per bank (by completed transactions; ties by recipient id so a
-- re-run picks the same ones) and the bound on everyone else: the most completed transactions
-- of any recipient not listed, 0 when all are. Read from the month's bank_monthly_recipients
-- sums, $2 + 1 index entries per bank (bank_monthly_recipients_rank_idx), however many
-- recipients the month has; returns the rows written.
--   $1 the month's first day   $2 recipients listed per bank
WITH best AS (
    SELECT b.bank_code AS bank_id, r.recipient_id, r.completed,
           row_number() OVER (PARTITION BY b.bank_code ORDER BY r.completed DESC, r.recipient_id) AS rank
    FROM bank_partnerships b
    CROSS JOIN LATERAL (
        SELECT m.recipient_id, m.completed
        FROM bank_monthly_recipients m
        WHERE m.month = $1 AND m.bank_id = b.bank_code AND m.completed > 0
        ORDER BY m.completed DESC, m.recipient_id
        LIMIT $2 + 1
    ) r
), listed AS (
    INSERT INTO bank_monthly_top_recipients (month, bank_id, recipient_id, completed)
    SELECT $1, bank_id, recipient_id, completed FROM best WHERE rank <= $2
    RETURNING 1
), bound AS (
    INSERT INTO bank_monthly_recipient_bound (month, bank_id, others_max)
    SELECT $1, bank_id, coalesce(max(completed) FILTER (WHERE rank > $2), 0) FROM best GROUP BY bank_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM listed) + (SELECT count(*) FROM bound)
