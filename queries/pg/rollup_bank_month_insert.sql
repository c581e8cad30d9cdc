-- One month's top $3 recipients per bank (by completed transactions; ties by recipient id so a
-- re-run picks the same ones) and the bound on everyone else: the most completed transactions
-- of any recipient not listed, 0 when all are. Summed from the month's daily rows; returns the
-- rows written.
--   $1 the month's first day   $2 the next month's first day   $3 recipients listed per bank
WITH month AS (
    SELECT bank_id, recipient_id, sum(completed) AS completed,
           row_number() OVER (PARTITION BY bank_id ORDER BY sum(completed) DESC, recipient_id) AS rank
    FROM bank_daily_recipients
    WHERE day >= $1 AND day < $2
    GROUP BY bank_id, recipient_id
), listed AS (
    INSERT INTO bank_monthly_top_recipients (month, bank_id, recipient_id, completed)
    SELECT $1, bank_id, recipient_id, completed FROM month WHERE rank <= $3
    RETURNING 1
), bound AS (
    INSERT INTO bank_monthly_recipient_bound (month, bank_id, others_max)
    SELECT $1, bank_id, coalesce(max(completed) FILTER (WHERE rank > $3), 0) FROM month GROUP BY bank_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM listed) + (SELECT count(*) FROM bound)
