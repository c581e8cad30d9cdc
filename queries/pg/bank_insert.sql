-- A new partnership. The API key is provisioned elsewhere, never through this app.
INSERT INTO bank_partnerships (bank_code, bank_name, status, contract_start_date, contract_end_date,
                               monthly_fee, transaction_fee_percentage, sla_p95_ms, api_endpoint,
                               created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, $10)
