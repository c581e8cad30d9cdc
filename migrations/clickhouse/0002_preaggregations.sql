-- Pre-aggregations, each fed by a materialized view at insert time. Only tables that shrink the
-- data a lot (see shared notes): minute x type, hour x bank, day x low-cardinality dimensions,
-- user x month. Readers must GROUP BY and sum()/-Merge: merges may not have happened yet.

CREATE TABLE IF NOT EXISTS events_per_minute (
    date           Date,
    minute         DateTime,
    event_type     String,
    channel        String,
    bank_id        String,
    failure_reason String,
    events         UInt64,
    processing_ms  UInt64
) ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (date, minute, event_type, channel, bank_id, failure_reason);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_per_minute_mv TO events_per_minute AS
SELECT date, toStartOfMinute(timestamp) AS minute, event_type, channel, bank_id, failure_reason,
       count() AS events, sum(toUInt64(processing_time_ms)) AS processing_ms
FROM transaction_events
GROUP BY date, minute, event_type, channel, bank_id, failure_reason;

CREATE TABLE IF NOT EXISTS processing_time_hourly (
    date      Date,
    hour      DateTime,
    bank_id   String,
    channel   String,
    latency   AggregateFunction(quantilesTDigest(0.5, 0.95), UInt32)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (date, hour, bank_id, channel);

CREATE MATERIALIZED VIEW IF NOT EXISTS processing_time_hourly_mv TO processing_time_hourly AS
SELECT date, toStartOfHour(timestamp) AS hour, bank_id, channel,
       quantilesTDigestState(0.5, 0.95)(processing_time_ms) AS latency
FROM transaction_events
WHERE event_type IN ('completed', 'failed')
GROUP BY date, hour, bank_id, channel;

CREATE TABLE IF NOT EXISTS daily_bank_events (
    date           Date,
    bank_id        String,
    event_type     String,
    channel        String,
    failure_reason String,
    events         UInt64,
    amount         Decimal(38,2)
) ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (date, bank_id, event_type, channel, failure_reason);

CREATE MATERIALIZED VIEW IF NOT EXISTS daily_bank_events_mv TO daily_bank_events AS
SELECT date, bank_id, event_type, channel, failure_reason, count() AS events, sum(amount) AS amount
FROM transaction_events
GROUP BY date, bank_id, event_type, channel, failure_reason;

CREATE TABLE IF NOT EXISTS user_activity_monthly (
    month         Date,
    user_id       UUID,
    activity_type String,
    events        UInt64
) ENGINE = SummingMergeTree()
PARTITION BY month
ORDER BY (month, user_id, activity_type);

CREATE MATERIALIZED VIEW IF NOT EXISTS user_activity_monthly_mv TO user_activity_monthly AS
SELECT toStartOfMonth(date) AS month, user_id, activity_type, count() AS events
FROM user_activity
GROUP BY month, user_id, activity_type;
