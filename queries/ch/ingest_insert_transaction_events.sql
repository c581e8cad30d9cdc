-- Streamed transaction events, each with the outbox sequence number it was queued under.
INSERT INTO transaction_events (event_id, transaction_id, user_id, event_type, timestamp, amount,
    currency, bank_id, device_type, channel, processing_time_ms, sentinel_score, failure_reason, error_code,
    ingest_seq)
