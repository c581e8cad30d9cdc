-- One SAST day's completed transactions per bank and recipient.
--   $1 the day (date)   $2 its start   $3 its end (instant, exclusive)
INSERT INTO bank_daily_recipients (day, bank_id, recipient_id, completed, volume)
SELECT $1::date, bank_id, recipient_id, count(*), sum(amount)
FROM transactions
WHERE bank_id IS NOT NULL AND status = 'COMPLETED' AND created_at >= $2 AND created_at < $3
GROUP BY bank_id, recipient_id
