-- An edit of a partnership's details; the bank code is its identity and does not change.
-- Every edit is a new version.
UPDATE bank_partnerships
SET bank_name = $2, status = $3, contract_start_date = $4, contract_end_date = $5,
    monthly_fee = $6, transaction_fee_percentage = $7, sla_p95_ms = $8,
    api_endpoint = nullif($9, ''), updated_at = $10, version = version + 1
WHERE bank_code = $1
RETURNING version
