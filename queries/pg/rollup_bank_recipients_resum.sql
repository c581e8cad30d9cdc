-- Recomputes one month's ($1, first day; $2 the next month's) bank_monthly_recipients sums
-- from all its bank_daily_recipients rows, after rollup_bank_recipients_clear: what a backfill
-- does on its first day, so that the day-by-day upkeep starts again from an exact sum.
INSERT INTO bank_monthly_recipients (month, bank_id, recipient_id, completed)
SELECT $1::date, bank_id, recipient_id, sum(completed)
FROM bank_daily_recipients
WHERE day >= $1 AND day < $2
GROUP BY bank_id, recipient_id
