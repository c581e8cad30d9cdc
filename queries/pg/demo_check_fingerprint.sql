-- Demo-data tests: a digest of every demo table in a fixed order, to prove two runs identical.
SELECT
    (SELECT md5(string_agg(concat_ws(',', id, sender_id, recipient_id, amount, currency, status,
                physics_seal_hash, bank_id, bank_reference, created_at, completed_at, channel,
                device_type, app_version, processing_time_ms, failure_reason, is_fraud),
                '|' ORDER BY created_at, id)) FROM transactions),
    (SELECT md5(string_agg(concat_ws(',', id, phone_number_hash, blood_hash, device_public_key,
                created_at, last_active, status, signup_source, referrer_user_id, promo_bank_code),
                '|' ORDER BY created_at, id)) FROM users),
    (SELECT md5(string_agg(concat_ws(',', id, bank_name, bank_code, status, contract_start_date,
                contract_end_date, monthly_fee, transaction_fee_percentage, sla_p95_ms, api_endpoint,
                api_key_hash, created_at, updated_at), '|' ORDER BY bank_code)) FROM bank_partnerships),
    (SELECT md5(string_agg(concat_ws(',', month, category, amount), '|' ORDER BY month, category))
       FROM monthly_costs),
    (SELECT md5(string_agg(concat_ws(',', title, severity, is_outage, started_at, ended_at,
                description, created_at), '|' ORDER BY started_at, title)) FROM incidents)
