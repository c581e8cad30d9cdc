-- One bank's transactions in the SAST days [$2, $3] by status and failure reason (NULL except
-- for failed ones), most frequent first.
SELECT status, failure_reason, count(*), coalesce(sum(amount), 0)
FROM transactions
WHERE bank_id = $1
  AND created_at >= ($2::date)::timestamp AT TIME ZONE 'Africa/Johannesburg'
  AND created_at <  ($3::date + 1)::timestamp AT TIME ZONE 'Africa/Johannesburg'
GROUP BY status, failure_reason
ORDER BY count(*) DESC, status, failure_reason
