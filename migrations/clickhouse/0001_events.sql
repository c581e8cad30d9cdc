-- Raw event stream. `date` is the calendar day in Africa/Johannesburg, materialized from the
-- instant so it can never disagree with it; it is the partition and leading sort key, and every
-- query filters on it as well as on the timestamp.
CREATE TABLE IF NOT EXISTS transaction_events (
    event_id           UUID,
    transaction_id     UUID,
    user_id            UUID,
    event_type         String,  -- initiated, physics_seal_captured, submitted, completed, failed
    timestamp          DateTime,
    date               Date MATERIALIZED toDate(timestamp, 'Africa/Johannesburg'),
    amount             Decimal(15,2),
    currency           String,
    bank_id            String,
    device_type        String,
    channel            String,  -- online, offline_sms
    processing_time_ms UInt32,  -- set on completed/failed: initiation to final state
    sentinel_score     Float32,
    failure_reason     String,  -- set on failed, '' otherwise
    error_code         String   -- set on failed, '' otherwise
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (date, event_type, timestamp);

CREATE TABLE IF NOT EXISTS user_activity (
    user_id       UUID,
    activity_type String,  -- login, transaction, qr_scan, balance_check
    timestamp     DateTime,
    date          Date MATERIALIZED toDate(timestamp, 'Africa/Johannesburg'),
    device_type   String,
    app_version   String,
    location_hash String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (date, activity_type, user_id, timestamp);
