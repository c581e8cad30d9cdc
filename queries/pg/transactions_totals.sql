-- How many transactions match transactions_list.sql's filters, and their amounts added up
-- (every matching row, not one page): the count and sum the transactions page states.
--   $1, $2 the period [from, to)   $3 bank   $4 channel   $5 status   $6 failure reason
-- Filtered by the period and the status alone, it reads only transactions_created_at_idx,
-- whose covering columns hold the status and the amount.
SELECT count(*), coalesce(sum(t.amount), 0)
FROM transactions t
WHERE t.created_at >= $1 AND t.created_at < $2
  AND ($3::text = '' OR t.bank_id = $3::text)
  AND ($4::text = '' OR t.channel = $4::text)
  AND ($5::text = '' OR t.status = $5::text)
  AND ($6::text = '' OR t.failure_reason = $6::text)
