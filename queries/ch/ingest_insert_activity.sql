-- Streamed user activity, each with the outbox sequence number it was queued under.
INSERT INTO user_activity (event_id, user_id, activity_type, timestamp, device_type, app_version, location_hash,
    ingest_seq)
