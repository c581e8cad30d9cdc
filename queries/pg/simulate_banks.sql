-- The banks a live demo stream routes payments through: partnerships live or in pilot whose
-- contract covers SAST day $1.
SELECT bank_code
FROM bank_partnerships
WHERE status IN ('active', 'pilot')
  AND contract_start_date <= $1::date
  AND (contract_end_date IS NULL OR contract_end_date >= $1::date)
ORDER BY bank_code
