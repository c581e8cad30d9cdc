INSERT INTO user_activity (user_id, activity_type, timestamp, device_type, app_version, location_hash)
