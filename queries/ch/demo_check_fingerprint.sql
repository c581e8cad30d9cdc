SELECT
    (SELECT sum(cityHash64(toString(event_id), toString(transaction_id), toString(user_id), event_type,
            toString(timestamp), toString(amount), currency, bank_id, device_type, channel,
            toString(processing_time_ms), toString(sentinel_score), failure_reason, error_code))
       FROM transaction_events),
    (SELECT sum(cityHash64(toString(user_id), activity_type, toString(timestamp), device_type,
            app_version, location_hash))
       FROM user_activity),
    (SELECT count() FROM user_activity)
