-- One bank's transactions in the SAST days [$2, $3] by status and failure reason (NULL except
-- for failed ones), most frequent first, from the bank_daily_status rollup.
SELECT status, failure_reason, sum(transactions)::bigint, sum(amount)
FROM bank_daily_status
WHERE bank_id = $1 AND day >= $2::date AND day <= $3::date
GROUP BY status, failure_reason
ORDER BY sum(transactions) DESC, status, failure_reason
