-- One SAST day of transactions per bank, status and failure reason.
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)
INSERT INTO bank_daily_status (day, bank_id, status, failure_reason, transactions, amount)
SELECT $1::date, bank_id, status, failure_reason, count(*), sum(amount)
FROM transactions
WHERE bank_id IS NOT NULL AND created_at >= $2 AND created_at < $3
GROUP BY bank_id, status, failure_reason
