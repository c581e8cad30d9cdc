-- The oldest user activity waiting for ClickHouse.
SELECT seq, event_id, user_id, activity_type, at, device_type, app_version, location_hash
FROM ch_outbox_user_activity
ORDER BY seq
LIMIT $1
