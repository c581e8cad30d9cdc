-- Demo-data tests: payments and exact volume per status.
SELECT status, count(*), sum(amount)::text
FROM transactions
GROUP BY status
ORDER BY status
