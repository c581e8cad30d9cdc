-- One partnership's editable details, locked for an edit in the same transaction.
SELECT bank_code, bank_name, status, contract_start_date, contract_end_date, monthly_fee,
       transaction_fee_percentage, sla_p95_ms, coalesce(api_endpoint, ''), created_at, updated_at, version
FROM bank_partnerships
WHERE bank_code = $1
FOR UPDATE
