-- The oldest transaction events waiting for ClickHouse.
SELECT seq, event_id, transaction_id, user_id, event_type, at, amount::text, currency, bank_id,
       device_type, channel, processing_time_ms, sentinel_score, failure_reason, error_code
FROM ch_outbox_transaction_events
ORDER BY seq
LIMIT $1
