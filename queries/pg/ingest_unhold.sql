DELETE FROM ingest_held WHERE event_id = ANY($1::uuid[])
